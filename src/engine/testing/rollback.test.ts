// Every state-changing verb, with each of its kernel, firewall, runtime and
// resolver calls failed in turn (failEveryCall): a verb that builds is
// undone completely; a teardown (a sweep) reports the failure and finishes
// when run again. No root: the engine runs on engine/testing's fakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  attachSandbox,
  connectNetwork,
  createNetwork,
  detachSandbox,
  disconnectNetwork,
  reconcile,
  removeContainer,
  removeNetwork,
  runContainer,
  startContainer,
  stopContainer,
  type SandboxAttachSpec,
} from "../index.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { failEveryCall, type FailureReport } from "./every-failure.js";
import { crashAt } from "./crash.js";
import type { FakeEngine } from "./fake-engine.js";

const SANDBOX_NS = "/fake/run/netns/cni-1234";
const SANDBOX_ID = "a".repeat(64);

function web(t: FakeEngine) {
  return createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
}

function dual(t: FakeEngine) {
  return createNetwork(t.engine, { name: "dual", subnet: ["10.78.0.0/24", "fd00:78::/64"] });
}

async function app(t: FakeEngine, networks: readonly string[] = ["web"], publish: readonly string[] = ["18080:80"]) {
  return (await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks, publish })).container;
}

function sandboxSpec(network: SandboxAttachSpec["networks"][number]["network"]): SandboxAttachSpec {
  return {
    managedBy: "cni",
    id: SANDBOX_ID,
    name: "pod-a",
    netns: SANDBOX_NS,
    networks: [{ network, ifname: "eth0" }],
    ports: [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 18081, containerPort: 80 }],
  };
}

const ADOPTED = { name: "cni-net", bridge: "cni0", subnet: "10.79.0.0/24", gateway: "10.79.0.1", internal: false, dnsEnabled: true, isolate: false } as const;

function made(r: FailureReport, ...calls: string[]): void {
  for (const c of calls)
    assert.ok(
      r.calls.some((x) => x.startsWith(c)),
      `the verb never calls ${c}:\n${r.calls.join("\n")}`,
    );
}

test("run -d on a bridge network with a published port", async () => {
  const r = await failEveryCall({ contract: "atomic", setup: web, verb: (t) => app(t) });
  made(
    r,
    "kernel netnsCreate",
    "kernel bridgeAdd",
    "kernel vethAdd",
    "kernel bridgePortSetHairpin",
    "firewall addPortMappings",
    "resolver serve",
    "runtime startDetached",
  );
  assert.deepEqual(r.absorbed, []);
});

test("run in the foreground (the runtime runs it and it exits) on a dual-stack network and a second network", async () => {
  const r = await failEveryCall({
    contract: "atomic",
    setup: (t) => {
      web(t);
      dual(t);
    },
    verb: (t) => runContainer(t.engine, { command: ["true"], name: "once", networks: ["dual", "web"], autoRemove: true }),
  });
  made(r, "kernel addrAdd fd00:78::", "runtime runForeground");
});

test("run on a macvlan network with a host shim", async () => {
  const r = await failEveryCall({
    contract: "atomic",
    setup: (t) => {
      t.kernel.addHostLink("eth9");
      createNetwork(t.engine, { name: "lan", driver: "macvlan", subnet: "192.168.77.0/24", options: { parent: "eth9", host_shim: "true" } });
    },
    verb: (t) => app(t, ["lan"], []),
  });
  made(r, "kernel macvlanAdd eth0", "kernel macvlanAdd bmv", "kernel routeReplace 192.168.77.");
});

test("start of a created container: network, ports, runtime", async () => {
  await failEveryCall({
    contract: "atomic",
    setup: async (t) => {
      web(t);
      await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web"], publish: ["18080:80"], createOnly: true });
    },
    verb: (t) => startContainer(t.engine, "app"),
  });
});

test("network create (bridge, dual-stack) and network create (macvlan)", async () => {
  await failEveryCall({ contract: "atomic", setup: () => undefined, verb: (t) => Promise.resolve(dual(t)) });
  await failEveryCall({
    contract: "atomic",
    setup: (t) => t.kernel.addHostLink("eth9"),
    verb: (t) => Promise.resolve(createNetwork(t.engine, { name: "lan", driver: "macvlan", subnet: "192.168.77.0/24", options: { parent: "eth9" } })),
  });
});

test("network connect of a running container (its ports move to the new first network when it is one)", async () => {
  const r = await failEveryCall({
    contract: "atomic",
    setup: async (t) => {
      web(t);
      dual(t);
      await app(t);
    },
    verb: (t) => connectNetwork(t.engine, "dual", "app"),
  });
  made(r, "kernel vethAdd", "resolver serve");
});

test("network connect that makes the network the container's first: its published ports move onto it", async () => {
  const r = await failEveryCall({
    contract: "atomic",
    setup: async (t) => {
      web(t);
      dual(t);
      await app(t);
      await disconnectNetwork(t.engine, "web", "app");
    },
    verb: (t) => connectNetwork(t.engine, "dual", "app"),
  });
  made(r, "firewall replacePortMappings");
});

test("sandbox attach: a CNI sandbox adopting its network, with a published port", async () => {
  const r = await failEveryCall({
    contract: "atomic",
    setup: (t) => t.kernel.addNamespace(SANDBOX_NS),
    verb: (t) => attachSandbox(t.engine, sandboxSpec(ADOPTED)),
  });
  made(r, "kernel vethAdd", "firewall replacePortMappings", "resolver serve");
});

test("sandbox attach: a second network for a sandbox that exists (CNI's second ADD)", async () => {
  await failEveryCall({
    contract: "atomic",
    setup: async (t) => {
      t.kernel.addNamespace(SANDBOX_NS);
      web(t);
      await attachSandbox(t.engine, sandboxSpec(ADOPTED));
    },
    verb: (t) => attachSandbox(t.engine, { ...sandboxSpec("web"), networks: [{ network: "web", ifname: "eth1" }], ports: [] }),
  });
});

test("rm -f of a running container is a sweep: a failure is reported and rm again finishes", async () => {
  const r = await failEveryCall({
    contract: "sweep",
    setup: async (t) => {
      web(t);
      dual(t);
      await app(t, ["web", "dual"]);
    },
    verb: (t) => removeContainer(t.engine, "app", { force: true }),
  });
  made(r, "runtime delete", "kernel netnsDelete", "firewall removePortMappings");
});

test("stop, network disconnect, network rm -f, sandbox detach: sweeps", async () => {
  const running = async (t: FakeEngine) => {
    web(t);
    dual(t);
    await app(t, ["web", "dual"]);
  };
  await failEveryCall({ contract: "sweep", setup: running, verb: (t) => stopContainer(t.engine, "app"), finish: (t) => removeContainer(t.engine, "app") });
  await failEveryCall({ contract: "sweep", setup: running, verb: (t) => disconnectNetwork(t.engine, "web", "app") });
  await failEveryCall({
    contract: "sweep",
    setup: running,
    verb: (t) => removeNetwork(t.engine, "web", { force: true }),
    // the error names the container the runtime could not delete: `rm` it again
    finish: (t) => removeContainer(t.engine, "app", { force: true }),
  });
  await failEveryCall({
    contract: "sweep",
    setup: async (t) => {
      t.kernel.addNamespace(SANDBOX_NS);
      await attachSandbox(t.engine, sandboxSpec(ADOPTED));
    },
    verb: (t) => detachSandbox(t.engine, { managedBy: "cni", id: SANDBOX_ID }),
  });
});

test("reconcile after the kernel lost everything (a reboot): a sweep that a second run completes", async () => {
  await failEveryCall({
    contract: "sweep",
    setup: async (t) => {
      web(t);
      await app(t);
      // processes gone, /run and the kernel's objects lost
      t.runtime.containers.clear();
      t.kernel.reboot();
      t.firewall.reset();
    },
    verb: (t) => reconcile(t.engine),
  });
});

// Crashes: every fault point of engine/fault.ts, hit by the verb that has it.
const CRASHES: readonly {
  step: string;
  outcome: "rolled back" | "finished";
  setup: (t: FakeEngine) => Promise<unknown> | unknown;
  verb: (t: FakeEngine) => Promise<unknown>;
}[] = [
  { step: "network-create:after-insert", outcome: "rolled back", setup: () => undefined, verb: (t) => Promise.resolve(web(t)) },
  { step: "run:after-netns", outcome: "rolled back", setup: web, verb: (t) => app(t) },
  { step: "attach:after-veth", outcome: "rolled back", setup: web, verb: (t) => app(t) },
  { step: "run:after-attach", outcome: "rolled back", setup: web, verb: (t) => app(t) },
  { step: "run:before-start", outcome: "rolled back", setup: web, verb: (t) => app(t) },
  ...(["rm:after-runtime", "rm:after-network"] as const).map((step) => ({
    step,
    outcome: "finished" as const,
    setup: async (t: FakeEngine) => {
      web(t);
      await app(t);
    },
    verb: (t: FakeEngine) => removeContainer(t.engine, "app", { force: true }),
  })),
  {
    step: "network-rm:after-rows",
    outcome: "finished",
    setup: (t) => web(t),
    verb: (t) => removeNetwork(t.engine, "web"),
  },
  {
    step: "connect:after-attach",
    outcome: "finished",
    setup: async (t) => {
      web(t);
      dual(t);
      await app(t);
    },
    verb: (t) => connectNetwork(t.engine, "dual", "app"),
  },
  {
    step: "disconnect:after-detach",
    outcome: "finished",
    setup: async (t) => {
      web(t);
      dual(t);
      await app(t, ["web", "dual"]);
    },
    verb: (t) => disconnectNetwork(t.engine, "dual", "app"),
  },
  ...(["sandbox:after-record", "sandbox:after-attach"] as const).map((step) => ({
    step,
    outcome: "rolled back" as const,
    setup: (t: FakeEngine) => t.kernel.addNamespace(SANDBOX_NS),
    verb: (t: FakeEngine) => attachSandbox(t.engine, sandboxSpec(ADOPTED)),
  })),
  {
    step: "handover:after-veth",
    outcome: "rolled back",
    setup: () => undefined,
    // dockerd moves the interface into the container itself: Berth makes the veth in the host's namespace
    verb: (t) =>
      attachSandbox(t.engine, {
        managedBy: "docker",
        id: SANDBOX_ID,
        name: "ctr-a",
        netns: "/var/run/docker/netns/1234",
        networks: [{ network: ADOPTED, handoverName: "vethdock0" }],
      }),
  },
  {
    step: "sandbox-detach:after-mark",
    outcome: "finished",
    setup: async (t) => {
      t.kernel.addNamespace(SANDBOX_NS);
      await attachSandbox(t.engine, sandboxSpec(ADOPTED));
    },
    verb: (t) => detachSandbox(t.engine, { managedBy: "cni", id: SANDBOX_ID }),
  },
];

for (const c of CRASHES) {
  test(`killed at ${c.step}: the next command leaves the state as if the verb had ${c.outcome === "finished" ? "finished" : "never run"}`, async () => {
    assert.equal(await crashAt(c.step, c), c.outcome);
  });
}

test("every fault point of engine/fault.ts has a crash test", () => {
  const source = readFileSync(new URL("../../../../src/engine", import.meta.url).pathname + "/fault.ts", "utf8");
  assert.ok(source.includes("faultPoint"));
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
        for (const m of readFileSync(p, "utf8").matchAll(/faultPoint\("([^"]+)"\)/g)) used.add(m[1] ?? "");
    }
  };
  walk(new URL("../../../../src/engine", import.meta.url).pathname);
  assert.deepEqual([...used].sort(), CRASHES.map((c) => c.step).sort());
});

test("with firewalld running: network create, run, a CNI sandbox adopting its network are atomic; network rm -f is a sweep", async () => {
  const firewalld = (t: FakeEngine) => {
    t.firewalld.isRunning = true;
  };
  const r = await failEveryCall({ contract: "atomic", setup: firewalld, verb: (t) => Promise.resolve(dual(t)) });
  made(r, "firewall firewalld addSource trusted 10.78.0.0/24", "firewall firewalld addSource trusted fd00:78::/64");
  // a run asks whether its network's subnet is still bound (binding it again after firewall-cmd --reload is
  // a repair of the network, which a failed run does not undo, as the base nft table)
  const rerun = await failEveryCall({
    contract: "atomic",
    setup: (t) => {
      firewalld(t);
      web(t);
    },
    verb: (t) => app(t),
  });
  made(rerun, "firewall firewalld zoneOfSource 10.77.0.0/24");
  await failEveryCall({
    contract: "atomic",
    setup: (t) => {
      firewalld(t);
      t.kernel.addNamespace(SANDBOX_NS);
    },
    verb: (t) => attachSandbox(t.engine, sandboxSpec(ADOPTED)),
  });
  const rm = await failEveryCall({
    contract: "sweep",
    setup: async (t) => {
      firewalld(t);
      web(t);
      await app(t);
    },
    verb: (t) => removeNetwork(t.engine, "web", { force: true }),
    finish: (t) => removeContainer(t.engine, "app", { force: true }),
  });
  made(rm, "firewall firewalld removeSource trusted 10.77.0.0/24");
});
