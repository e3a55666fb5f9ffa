// The read verbs and exec the CLI calls instead of reading the store and the
// runtime itself (exec, logs, ps, port), on engine/testing's fakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  attachSandbox,
  containerLogs,
  containerPorts,
  createNetwork,
  execContainer,
  listContainers,
  ownContainerIds,
  runContainer,
  runningContainerPorts,
  stopContainer,
} from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { BerthError } from "../../errors.js";

function withFake(fn: (t: FakeEngine) => Promise<void>): () => Promise<void> {
  return async () => {
    const t = new FakeEngine();
    try {
      await fn(t);
    } finally {
      t.close();
    }
  };
}

async function app(t: FakeEngine, name = "app", publish: readonly string[] = ["18080:80", "18053:53/udp"]) {
  createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
  return (await runContainer(t.engine, { command: ["sleep", "60"], name, detach: true, networks: ["web"], publish, process: { labels: ["tier=front"] } }))
    .container;
}

const code = (c: string) => (e: unknown) => e instanceof BerthError && e.code === c;

test(
  "exec runs the command in a running container, and refuses a stopped one",
  withFake(async (t) => {
    const c = await app(t);
    assert.equal(await execContainer(t.engine, "app", ["echo", "hi"], { tty: false, interactive: false }), 0);
    assert.ok(t.faults.calls.includes(`runtime exec ${c.id.slice(0, 12)} echo hi`));
    await stopContainer(t.engine, "app", 0);
    await assert.rejects(execContainer(t.engine, "app", ["true"], { tty: false, interactive: false }), code("CONTAINER_NOT_RUNNING"));
    await assert.rejects(execContainer(t.engine, "nope", ["true"], { tty: false, interactive: false }), code("CONTAINER_NOT_FOUND"));
  }),
);

test(
  "exec and logs refuse a container another runtime owns",
  withFake(async (t) => {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    t.kernel.addNamespace("/fake/run/netns/b");
    await attachSandbox(t.engine, {
      managedBy: "cni",
      id: "b".repeat(64),
      name: "pod-b",
      netns: "/fake/run/netns/b",
      networks: [{ network: "web", ifname: "eth0" }],
      ports: [],
    });
    await assert.rejects(execContainer(t.engine, "pod-b", ["true"], { tty: false, interactive: false }), (e: unknown) => e instanceof BerthError);
    await assert.rejects(containerLogs(t.engine, "pod-b", { tail: -1, follow: false, write: () => {} }), (e: unknown) => e instanceof BerthError);
    assert.deepEqual(ownContainerIds(t.engine), []);
  }),
);

test(
  "logs writes the decoded log, its last N lines with a tail",
  withFake(async (t) => {
    const c = await app(t);
    const log = t.engine.runtime.logPath(c.id);
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, "2024-01-01T00:00:00Z stdout F one\n2024-01-01T00:00:01Z stdout F two\n");
    const out: string[] = [];
    await containerLogs(t.engine, "app", { tail: 1, follow: false, write: (s) => out.push(s) });
    assert.equal(out.join(""), "two\n");
    // a stopped container: follow prints what there is and returns
    await stopContainer(t.engine, "app", 0);
    out.length = 0;
    await containerLogs(t.engine, "app", { tail: -1, follow: true, write: (s) => out.push(s) });
    assert.equal(out.join(""), "one\ntwo\n");
  }),
);

test(
  "ps lists running containers (every one with all), with their labels and ports",
  withFake(async (t) => {
    const c = await app(t);
    const [x, ...rest] = listContainers(t.engine, { all: false });
    assert.equal(rest.length, 0);
    assert.equal(x?.container.id, c.id);
    assert.equal(x?.labels["tier"], "front");
    assert.match(x?.ports ?? "", /:18080->80\/tcp/);
    assert.deepEqual(ownContainerIds(t.engine), [c.id]);
    await stopContainer(t.engine, "app", 0);
    assert.equal(listContainers(t.engine, { all: false }).length, 0);
    assert.equal(listContainers(t.engine, { all: true }).length, 1);
  }),
);

test(
  "port: a container's ports, one container port (tcp when not said), and every running container's",
  withFake(async (t) => {
    const c = await app(t);
    assert.equal(containerPorts(t.engine, "app").ports.length, 2);
    assert.deepEqual(
      containerPorts(t.engine, "app", "53/udp").ports.map((p) => p.hostPort),
      [18053],
    );
    assert.deepEqual(
      containerPorts(t.engine, "app", "80").ports.map((p) => p.hostPort),
      [18080],
    );
    assert.throws(() => containerPorts(t.engine, "app", "53"), code("INVALID_ARGUMENT"));
    assert.deepEqual(
      runningContainerPorts(t.engine).map((x) => [x.container.id, x.ports.length]),
      [[c.id, 2]],
    );
    await stopContainer(t.engine, "app", 0);
    assert.deepEqual(runningContainerPorts(t.engine), []);
  }),
);
