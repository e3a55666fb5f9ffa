// Crash consistency: berth killed (SIGKILL, through BERTH_FAULT) at a named
// step of each verb that changes the kernel. Afterwards the next command,
// or `berth system reconcile`, must leave kernel and state matching: no
// leaked namespace, veth, bridge, nft element, lease or DNS record, as
// `berth doctor` and the sandbox's own inventory see it, and the same
// names, addresses and ports work again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  if (b) b.dispose();
});

interface Finding {
  readonly code: string;
  readonly severity: string;
  readonly summary: string;
}

/** Doctor's problems (errors and warnings) on the whole host. */
function problems(): string[] {
  const r = b.run("doctor", "--format", "json");
  const report = JSON.parse(r.stdout) as { findings: Finding[]; ok: boolean };
  return report.findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.summary}`);
}

function nftTable(): string {
  return spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout;
}

interface Scenario {
  readonly step: string;
  /** Made before the crashing command. */
  readonly setup: readonly (readonly string[])[];
  /** The command killed at `step`. */
  readonly crash: readonly string[];
  /** Must work afterwards (proves names, addresses and ports are free or consistent). */
  readonly then: readonly (readonly string[])[];
}

const SCENARIOS: Scenario[] = [
  {
    step: "network-create:after-insert",
    setup: [],
    crash: ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
    then: [
      ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "sleep", "600"],
    ],
  },
  {
    step: "network-rm:after-rows",
    setup: [
      ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "-p", "9800:8080", "sleep", "600"],
    ],
    crash: ["network", "rm", "-f", "crashnet"],
    then: [
      ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "-p", "9800:8080", "sleep", "600"],
    ],
  },
  {
    step: "attach:after-veth",
    setup: [
      ["network", "create", "crashnet"],
      ["network", "create", "crashnet2"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "sleep", "600"],
    ],
    crash: ["network", "connect", "crashnet2", "x"],
    then: [
      ["network", "connect", "crashnet2", "x"],
      ["network", "disconnect", "crashnet2", "x"],
    ],
  },
  {
    step: "connect:after-attach",
    setup: [
      ["network", "create", "crashnet"],
      ["network", "create", "crashnet2"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "sleep", "600"],
    ],
    crash: ["network", "connect", "crashnet2", "x"],
    then: [
      ["network", "disconnect", "crashnet2", "x"],
      ["network", "connect", "crashnet2", "x"],
    ],
  },
  {
    step: "disconnect:after-detach",
    setup: [
      ["network", "create", "crashnet"],
      ["network", "create", "crashnet2"],
      ["run", "-d", "--name", "x", "--network", "crashnet,crashnet2", "sleep", "600"],
    ],
    crash: ["network", "disconnect", "crashnet2", "x"],
    then: [["network", "connect", "crashnet2", "x"]],
  },
  {
    step: "rm:after-runtime",
    setup: [
      ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "--ip", "10.67.0.9", "-p", "9800:8080", "sleep", "600"],
    ],
    crash: ["rm", "-f", "x"],
    then: [["run", "-d", "--name", "x", "--network", "crashnet", "--ip", "10.67.0.9", "-p", "9800:8080", "sleep", "600"]],
  },
  {
    step: "rm:after-network",
    setup: [
      ["network", "create", "crashnet", "--subnet", "10.67.0.0/24"],
      ["run", "-d", "--name", "x", "--network", "crashnet", "--ip", "10.67.0.9", "-p", "9800:8080", "sleep", "600"],
    ],
    crash: ["rm", "-f", "x"],
    then: [["run", "-d", "--name", "x", "--network", "crashnet", "--ip", "10.67.0.9", "-p", "9800:8080", "sleep", "600"]],
  },
];

for (const s of SCENARIOS) {
  test(`killed at ${s.step} (${s.crash.slice(0, 2).join(" ")}): reconcile leaves kernel and state matching`, (t) => {
    if (!requireSandbox(t)) return;
    try {
      for (const cmd of s.setup) b.ok(...cmd);
      assert.deepEqual(problems(), [], "healthy before the crash");
      const r = b.runWith({ BERTH_FAULT: s.step }, ...s.crash);
      assert.equal(r.code, 137, `killed at ${s.step}: ${r.stderr}`);
      b.ok("system", "reconcile");
      assert.deepEqual(problems(), [], "doctor finds nothing after reconcile");
      for (const cmd of s.then) b.ok(...cmd);
      assert.deepEqual(problems(), [], "and nothing after using the same names again");
    } finally {
      b.run("rm", "-f", "x");
      b.run("network", "rm", "-f", "crashnet", "crashnet2");
    }
    assert.doesNotMatch(nftTable(), /9800/, "no port mapping left");
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge, namespace or process left",
    );
  });
}

// Found by the model-based test: the repair that the next command makes
// removed the container but left its name in the resolver's zone.
for (const step of ["rm:after-runtime", "run:before-start"]) {
  test(`killed at ${step}: the next command (any) also takes the container's name out of DNS`, (t) => {
    if (!requireSandbox(t)) return;
    try {
      b.ok("network", "create", "crashnet", "--subnet", "10.67.0.0/24");
      b.ok("run", "-d", "--name", "x", "--network", "crashnet", "sleep", "600");
      const crash = step.startsWith("rm:") ? ["rm", "-f", "y"] : ["run", "-d", "--name", "y", "--network", "crashnet", "sleep", "600"];
      if (step.startsWith("rm:")) b.ok("run", "-d", "--name", "y", "--network", "crashnet", "sleep", "600");
      const gw = "10.67.0.1";
      const r = b.runWith({ BERTH_FAULT: step }, ...crash);
      assert.equal(r.code, 137, `killed at ${step}: ${r.stderr}`);
      b.ok("ps", "-a");
      const answer = b.inNetns(b.netns("x"), "busybox", "nslookup", "-type=a", "y.dns.berth", gw);
      assert.match(`${answer.stdout}${answer.stderr}`, /NXDOMAIN/, `y no longer resolves: ${answer.stdout}`);
    } finally {
      b.run("rm", "-f", "x", "y");
      b.run("network", "rm", "-f", "crashnet");
    }
  });
}

// Issue 15: the repair at the start of every command used to drop what its
// teardown could not undo; now the command says so (reconcile lists it as a problem).
test("a rollback that cannot undo everything says what is left instead of dropping it", (t) => {
  if (!requireSandbox(t)) return;
  const nsDir = `${b.root}/netns`;
  let planted: string | undefined;
  try {
    const r = b.runWith({ BERTH_FAULT: "run:before-start" }, "run", "-d", "--name", "stuck", "sleep", "600");
    assert.equal(r.code, 137, `killed at run:before-start: ${r.stderr}`);
    // the namespace file becomes a directory with something in it: the rollback cannot remove it
    const ns = spawnSync("ls", [nsDir], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")
      .find((f) => f.startsWith("berth-"));
    assert.ok(ns, "the crashed run left its namespace file");
    planted = `${nsDir}/${ns}`;
    spawnSync("umount", ["-l", planted]);
    spawnSync("rm", ["-f", planted]);
    spawnSync("mkdir", ["-p", `${planted}/keep`]);
    const next = b.run("ps", "-a");
    assert.equal(next.code, 0, "the command itself still runs");
    assert.match(
      next.stderr,
      /Warning: rolling back interrupted container stuck \([0-9a-f]{12}\): .*remove network namespace file .*berth-[0-9a-f]{12}.*; run `berth system reconcile`/,
    );
    assert.doesNotMatch(next.stdout, /stuck/, "the container is rolled back all the same");
  } finally {
    if (planted) spawnSync("rm", ["-rf", planted]);
  }
});
