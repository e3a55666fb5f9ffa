// `berth trace --probe`: one real packet followed through every nftables
// hook and table on the host. Each test plants what a user's host may have
// (another table's drop rule, an iptables-nft or iptables-legacy DROP
// policy, a missing route), probes, and proves the ruleset is the same
// before and after the probe. The "outside" is a namespace the test makes
// (test/outside.ts); nothing is sent beyond the sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { OUTSIDE_ADDR, sandboxWithOutside } from "../outside.js";

const BERTH = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
/** An address on the outside link where no machine answers. */
const SILENT_ADDR = "198.51.100.50";
/** A documentation address no route of the sandbox leads to (until the test adds a default route). */
const FAR_ADDR = "203.0.113.5";

let b: BerthSandbox;
sandboxWithOutside({ defaultRoute: true }, (sandbox) => {
  b = sandbox;
});

interface Hop {
  direction: "original" | "reply";
  kind: "hook" | "rule" | "policy" | "return";
  family: string;
  hook: string;
  table?: string;
  chain?: string;
  handle?: number;
  rule?: string;
  verdict?: string;
  packet?: string;
  oif?: string;
}
interface Probe {
  outcome: string;
  lastSeen: string;
  nat: string;
  reachable: boolean;
  reply?: string;
  fix?: string;
  hops: Hop[];
}

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The ruleset without counters (the probe counts in them like any packet). */
function ruleset(): string {
  return sh("nft", "-s", "list", "ruleset");
}

/** Probe, and prove the probe left the ruleset as it found it. */
function probe(...args: string[]): Probe {
  const before = ruleset();
  const r = b.run("trace", "--probe", "--format", "json", ...args);
  assert.equal(ruleset(), before, "the probe leaves the ruleset as it was");
  assert.doesNotMatch(ruleset(), /berth_probe_/);
  const out = JSON.parse(r.stdout) as { probe?: Probe };
  assert.ok(out.probe, `no probe in the output: ${r.stdout} ${r.stderr}`);
  assert.equal(r.code, out.probe.reachable ? r.code : 1, "exit 1 when the probe does not get through");
  return out.probe;
}

function ensureOutNet(): void {
  if (b.run("inspect", "surfer").code === 0) return;
  b.ok("network", "create", "out-net");
  b.ok("run", "-d", "--name", "surfer", "--network", "out-net", "sleep", "600");
}

test("a healthy published port: the probe shows Berth's DNAT hop, masquerade, the container's veth and the SYN-ACK", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "app-net");
  b.ok("run", "-d", "--name", "web", "--network", "app-net", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/tmp");
  const ip = b.ip("web");
  const p = probe("127.0.0.1:8080");
  assert.equal(p.outcome, "answered", p.lastSeen);
  assert.ok(p.reachable);
  const dnat = p.hops.find((h) => h.kind === "rule" && /dnat ip to/.test(h.rule ?? ""));
  assert.deepEqual([dnat?.family, dnat?.table, dnat?.hook, dnat?.verdict], ["inet", "berth", "output", "accept"], JSON.stringify(p.hops));
  assert.ok(
    p.hops.some((h) => h.kind === "hook" && h.hook === "postrouting" && h.packet?.includes(`-> ${ip}:80 [SYN]`)),
    "after DNAT the packet goes to the container",
  );
  assert.match(
    p.lastSeen,
    new RegExp(`^left the host on berth1 \\(port bth[0-9a-f]+\\) toward ${ip.replaceAll(".", "\\.")}:80 \\(container web\\), which answered`),
  );
  assert.match(p.reply ?? "", new RegExp(`^tcp ${ip.replaceAll(".", "\\.")}:80 -> .* \\[SYN,ACK\\]$`));
  assert.match(p.nat, new RegExp(`^DNAT 127\\.0\\.0\\.1:8080 to ${ip.replaceAll(".", "\\.")}:80; SNAT 127\\.0\\.0\\.1:[0-9]+ to 10\\.89\\.[0-9]+\\.1:`));

  const closed = probe("127.0.0.1:8081");
  assert.equal(closed.outcome, "refused", `${closed.lastSeen}; hops: ${JSON.stringify(closed.hops)}`);
  assert.match(closed.lastSeen, /delivered to the host itself at 127\.0\.0\.1:8081 .*nothing listens on 8081\/tcp/);
});

test("containers on different networks: the probe names Berth's isolation rule that drops it", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "other-net");
  b.ok("run", "-d", "--name", "client", "--network", "other-net", "sleep", "600");
  const p = probe("client", "web:80");
  assert.equal(p.outcome, "dropped", p.lastSeen);
  assert.match(p.lastSeen, /^dropped by rule '.*drop.*' in table inet berth chain \S+ \(handle [0-9]+, hook forward\)$/);
  b.ok("rm", "-f", "client");
  b.ok("network", "rm", "other-net");
});

test("a drop rule in another table (inet admin, hooks forward and input) is found and named", (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  const gw = b.ok("network", "inspect", "-f", "{{range .Subnets}}{{.Gateway}}{{end}}", "out-net").trim();
  sh("nft", "add", "table", "inet", "admin");
  try {
    sh("nft", "add chain inet admin forward { type filter hook forward priority 0; policy accept; }");
    sh("nft", `add rule inet admin forward ip daddr ${OUTSIDE_ADDR} tcp dport 80 drop`);
    sh("nft", "add chain inet admin input { type filter hook input priority 0; policy accept; }");
    sh("nft", "add rule inet admin input udp dport 53 counter drop");
    const fwd = probe("surfer", `${OUTSIDE_ADDR}:80`);
    assert.equal(fwd.outcome, "dropped");
    assert.match(
      fwd.lastSeen,
      /^dropped by rule 'ip daddr 198\.51\.100\.2 tcp dport 80 drop' in table inet admin chain forward \(handle [0-9]+, hook forward\)$/,
    );
    assert.match(fwd.fix ?? "", /nft delete rule inet admin forward handle [0-9]+/);
    // routed toward the outside link, then dropped in the forward hook
    assert.ok(
      fwd.hops.some((h) => h.kind === "hook" && h.hook === "forward" && h.oif === "vhost0"),
      JSON.stringify(fwd.hops),
    );

    const dns = probe("surfer", `${gw}:53/udp`);
    assert.equal(dns.outcome, "dropped");
    assert.match(dns.lastSeen, /^dropped by rule 'udp dport 53 counter drop' in table inet admin chain input \(handle [0-9]+, hook input\)$/);
  } finally {
    spawnSync("nft", ["delete", "table", "inet", "admin"]);
  }
  const ok = probe("surfer", `${OUTSIDE_ADDR}:80`);
  assert.equal(ok.outcome, "refused", "without the rule the SYN reaches the outside machine, which resets it (nothing listens)");
  assert.match(ok.lastSeen, /^left the host on vhost0 toward 198\.51\.100\.2:80, where nothing listens/);
  assert.match(ok.nat, /^SNAT 10\.89\.[0-9]+\.[0-9]+:[0-9]+ to 198\.51\.100\.[13]:/, "masqueraded on the way out");
});

test("an iptables-nft FORWARD policy of DROP is found and named", (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  sh("iptables-nft", "-P", "FORWARD", "DROP");
  try {
    const p = probe("surfer", `${OUTSIDE_ADDR}:80`);
    assert.equal(p.outcome, "dropped");
    assert.equal(p.lastSeen, "dropped by the policy of chain FORWARD in table ip filter (hook forward)");
  } finally {
    spawnSync("iptables-nft", ["-P", "FORWARD", "ACCEPT"]);
    spawnSync("nft", ["delete", "table", "ip", "filter"]);
  }
});

test("an iptables-legacy FORWARD policy of DROP: nftables cannot trace it, the probe says where the packet vanished and names the policy", (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  sh("iptables-legacy", "-P", "FORWARD", "DROP");
  try {
    const p = probe("surfer", `${OUTSIDE_ADDR}:80`);
    assert.equal(p.outcome, "vanished");
    assert.match(
      p.lastSeen,
      /^last seen in inet hook forward \(in on berth[0-9]+\); no nftables rule dropped it and no later hook saw it: iptables-legacy has FORWARD policy DROP/,
    );
  } finally {
    spawnSync("iptables-legacy", ["-P", "FORWARD", "ACCEPT"]);
  }
});

test("a missing route is named: on the host, and inside the container", (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  const host = probe("surfer", `${FAR_ADDR}:80`);
  assert.equal(host.outcome, "no route");
  assert.match(host.lastSeen, /^last seen in inet hook prerouting \(in on berth[0-9]+\): the host has no route to 203\.0\.113\.5/);

  b.inNetns(b.netns("surfer"), "ip", "route", "del", "default");
  const inside = probe("surfer", `${FAR_ADDR}:80`);
  assert.equal(inside.outcome, "no route");
  assert.equal(inside.lastSeen, "never left container surfer: no route to 203.0.113.5 there (ENETUNREACH)");
  b.ok("system", "reconcile");
  assert.equal(probe("surfer", `${FAR_ADDR}:80`).outcome, "no route", "back to the host's missing route");
});

test("a probe killed outright (SIGKILL) leaves its tables: doctor names them, the next probe removes them", async (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  const before = ruleset();
  const child = spawn(process.execPath, [BERTH, "trace", "--probe", "--timeout", "30000", "surfer", `${SILENT_ADDR}:80`], { env: b.env, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!/berth_probe_/.test(ruleset())) {
    assert.ok(Date.now() < deadline, "the probe's tables never appeared");
    await new Promise((r) => setImmediate(r));
  }
  child.kill("SIGKILL");
  await exited;
  assert.match(ruleset(), new RegExp(`table inet berth_probe_${child.pid ?? 0} `));
  const doc = JSON.parse(b.run("doctor", "--format", "json").stdout) as { findings: { code: string; fix: string }[] };
  const f = doc.findings.find((x) => x.code === "LEFTOVER_PROBE_TABLE");
  assert.match(f?.fix ?? "", new RegExp(`^nft delete table inet berth_probe_${child.pid ?? 0}; nft delete table bridge berth_probe_${child.pid ?? 0}`));
  b.run("trace", "--probe", "surfer", `${OUTSIDE_ADDR}:80`);
  assert.equal(ruleset(), before, "the next probe swept the stale tables");
});

test("Ctrl-C during a probe ends it at once and removes its tables", async (t) => {
  if (!requireSandbox(t)) return;
  ensureOutNet();
  const before = ruleset();
  const child = spawn(process.execPath, [BERTH, "trace", "--probe", "--timeout", "30000", "surfer", `${SILENT_ADDR}:80`], { env: b.env });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // wait for the probe's tables to appear, then interrupt it
  const deadline = Date.now() + 20_000;
  while (!/berth_probe_/.test(ruleset())) {
    assert.ok(Date.now() < deadline, "the probe's tables never appeared");
    await new Promise((r) => setImmediate(r));
  }
  child.kill("SIGINT");
  assert.equal(await exited, 130, `exit 128 + SIGINT, after cleaning up: ${out}`);
  assert.match(out, /interrupted by SIGINT: the above is what the probe saw until then/);
  assert.equal(ruleset(), before);
  b.run("rm", "-f", "surfer", "web");
  b.run("network", "rm", "out-net", "app-net");
});
