// Soak: a bounded create/remove loop (containers with published ports and
// aliases, connect/disconnect, networks made and removed), loopback and
// the sandbox's own namespaces only. Kernel objects, mounts, runtime files,
// and the resolver's open files and memory are sampled after a warm-up
// and at the end; the test fails on growth beyond a small tolerance.
// 8 s in the normal suite, 10 minutes under `npm run test:stress`
// (BERTH_SOAK_SECONDS overrides).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { sized } from "../stress-size.js";
import { berthLinks, netnsFiles, nftInventory, processStats, processesMentioning, resolverPid } from "../kernel-inventory.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

const SECONDS = sized("BERTH_SOAK_SECONDS", 8, 600);
/** The resolver may grow this much (GC noise of a Node.js process), no more. */
const RSS_TOLERANCE_KB = 8 * 1024;
const FD_TOLERANCE = 2;

interface Sample {
  readonly links: number;
  readonly netns: number;
  readonly nftElements: number;
  readonly mounts: number;
  readonly runFiles: number;
  readonly monitors: number;
  readonly resolverPid: number;
  readonly resolverFds: number;
  readonly resolverRssKb: number;
}

function count(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

function sample(): Sample {
  // a removed container's monitor runs its exit command before it exits: let the last one finish
  const running = b
    .ok("ps", "-q")
    .trim()
    .split("\n")
    .filter((l) => l !== "").length;
  const monitors = () => processesMentioning(b.root).filter((p) => p.args.startsWith("conmon ")).length;
  const deadline = Date.now() + 10_000;
  while (monitors() > running && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
  const pid = resolverPid(b.root);
  assert.ok(pid, "the resolver runs");
  // the smallest of a few readings: RSS moves with the daemon's garbage collector
  const readings = Array.from({ length: 3 }, (_, i) => {
    if (i > 0) spawnSync("sleep", ["0.3"]);
    return processStats(pid);
  });
  return {
    links: berthLinks().length,
    netns: netnsFiles(b.root).length,
    nftElements: nftInventory()?.elements ?? 0,
    mounts: readFileSync("/proc/self/mountinfo", "utf8").split("\n").length,
    runFiles: count(join(b.root, "run", "containers")) + count(join(b.root, "run", "exits")) + count(join(b.root, "run", "runc")),
    monitors: monitors(),
    resolverPid: pid,
    resolverFds: Math.min(...readings.map((r) => r?.fds ?? Infinity)),
    resolverRssKb: Math.min(...readings.map((r) => r?.rssKb ?? Infinity)),
  };
}

function lookup(netns: string, name: string): string | undefined {
  const r = spawnSync("nsenter", [`--net=${netns}`, "busybox", "nslookup", "-type=a", name, "10.123.0.1"], { encoding: "utf8", timeout: 10_000 });
  return /^Address:\s*([0-9.]+)$/m.exec(r.stdout.split(/^Name:/m)[1] ?? "")?.[1];
}

/**
 * Queries for the anchor's name, sent from its namespace in bursts of 100
 * (waiting up to 200 ms for each burst's replies); the number answered.
 */
const FLOOD = String.raw`
const d = require("dgram"), s = d.createSocket("udp4");
const [total, server] = [Number(process.argv[1]), process.argv[2]];
const q = Buffer.from("000001000001000000000000" + "06616e63686f72" + "00" + "00010001", "hex");
let sent = 0, got = 0, wake = () => {};
s.on("message", () => { got++; if (got === sent) wake(); });
(async () => {
  while (sent < total) {
    for (let i = 0; i < 100; i++, sent++) { q.writeUInt16BE(sent & 0xffff, 0); s.send(q, 53, server); }
    await new Promise((r) => { wake = r; setTimeout(r, 200); });
  }
  console.log(got); s.close();
})();`;

/**
 * Bring the resolver to its steady memory before the first sample. Node.js
 * touches the pages of a heap only as it allocates, and V8 sizes each
 * thread's young generation and compiled code by the work it sees, so a
 * fresh daemon's RSS climbs over its first busy seconds and then stays
 * flat; a baseline taken earlier would count that as growth. (With the
 * 16 MiB young generation the daemon used before its UDP thread, the climb
 * was ~25 MiB.) 100,000 queries take ~2 s.
 */
function warmResolver(): string {
  const total = 100_000;
  const t0 = Date.now();
  const r = spawnSync("nsenter", [`--net=${b.netns("anchor")}`, process.execPath, "-e", FLOOD, String(total), "10.123.0.1"], {
    encoding: "utf8",
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number(r.stdout) >= total * 0.9, `the resolver answered ${r.stdout.trim()} of ${total} warm-up queries`);
  return `resolver warm-up: ${r.stdout.trim()} of ${total} queries answered in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** One round: a container with a port and an alias comes, is resolved, joins and leaves a second network, and goes; every 4th round a network comes and goes too. */
function round(i: number): number {
  let ops = 0;
  const ok = (...args: string[]) => {
    b.ok(...args);
    ops++;
  };
  const name = `w${i % 3}`;
  ok("run", "-d", "--name", name, "--network", "soak:alias=worker", "-p", `${9300 + (i % 3)}:8080`, "-p", `127.0.0.1:${9400 + (i % 3)}:53/udp`, "sleep", "600");
  assert.equal(lookup(b.netns("anchor"), `${name}.dns.berth`), b.ip(name), `round ${i}: ${name} resolves`);
  ok("network", "connect", "side", name);
  ok("network", "disconnect", "side", name);
  if (i % 4 === 0) {
    ok("network", "create", "passing", "--subnet", "10.123.8.0/24");
    ok("run", "-d", "--name", "visitor", "--network", "passing", "sleep", "600");
    ok("network", "rm", "-f", "passing");
  }
  ok("rm", "-f", name);
  return ops;
}

test(
  `soak: ${SECONDS} s of create/remove leaves kernel objects, files and the resolver's descriptors and memory where they were`,
  { timeout: (SECONDS + 300) * 1000 },
  (t) => {
    if (!requireSandbox(t)) return;
    try {
      b.ok("network", "create", "soak", "--subnet", "10.123.0.0/24");
      b.ok("network", "create", "side", "--subnet", "10.123.1.0/24");
      // holds the network, its bridge and the resolver for the whole run
      b.ok("run", "-d", "--name", "anchor", "--network", "soak", "--network", "side", "-p", "9299:8080", "sleep", "7200");
      for (let i = 0; i < 3; i++) round(i);
      t.diagnostic(warmResolver());
      const start = sample();
      const t0 = Date.now();
      let rounds = 0;
      let ops = 0;
      while (Date.now() - t0 < SECONDS * 1000) ops += round(3 + rounds++);
      const elapsed = (Date.now() - t0) / 1000;
      const end = sample();
      t.diagnostic(`${rounds} rounds, ${ops} berth commands in ${elapsed.toFixed(0)} s (${(ops / elapsed).toFixed(2)} commands/s)`);
      t.diagnostic(`start ${JSON.stringify(start)}`);
      t.diagnostic(`end   ${JSON.stringify(end)}`);
      assert.equal(end.resolverPid, start.resolverPid, "the same resolver served the whole run (a restart would hide a leak)");
      assert.equal(end.links, start.links, "no link leaked");
      assert.equal(end.netns, start.netns, "no namespace leaked");
      assert.equal(end.nftElements, start.nftElements, "no nft element leaked");
      assert.equal(end.mounts, start.mounts, "no mount leaked");
      assert.equal(end.runFiles, start.runFiles, "no runtime file leaked");
      assert.equal(end.monitors, start.monitors, "no container monitor leaked");
      assert.ok(end.resolverFds <= start.resolverFds + FD_TOLERANCE, `resolver descriptors ${start.resolverFds} -> ${end.resolverFds}`);
      assert.ok(end.resolverRssKb <= start.resolverRssKb + RSS_TOLERANCE_KB, `resolver memory ${start.resolverRssKb} kB -> ${end.resolverRssKb} kB`);
      b.ok("rm", "-f", "anchor");
      b.ok("network", "rm", "soak", "side");
      assert.deepEqual(
        b.leftovers().filter((l) => !l.startsWith("nft")),
        [],
        "nothing left at the end",
      );
    } finally {
      b.run("system", "reset", "-f");
    }
  },
);
