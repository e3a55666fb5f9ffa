// Scale: many containers on one network and many networks on one host
// work (run, resolve, publish, remove) and leave nothing behind, and a
// full bridge is refused cleanly. The normal suite holds 20 containers and
// 5 networks; `npm run test:stress` 1,000 containers (the Linux bridge
// takes 1,023 ports) and 100 networks (BERTH_SCALE_CONTAINERS,
// BERTH_SCALE_NETWORKS override). The time of
// single runs at the first, middle and last container is reported as a
// diagnostic, never asserted (figures: docs/reliability.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BerthSandbox, type CliResult } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { sized } from "../stress-size.js";
import { ECHO, ask } from "../echo.js";
import { berthLinks, hostLinks, netnsFiles, nftInventory, publishedZone } from "../kernel-inventory.js";
import { BRIDGE_MAX_PORTS } from "../../src/engine/network/bridge.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

/** The CLI as users run it (its bundle, through the code cache). */
const BERTH = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
const CONTAINERS = sized("BERTH_SCALE_CONTAINERS", 20, 1000);
const NETWORKS = sized("BERTH_SCALE_NETWORKS", 5, 100);
/** Berth processes at once while filling (the VM has 2 cores). */
const PARALLEL = 3;

/** Run CLI calls with at most PARALLEL at once; fail on the first that fails. */
async function runAll(calls: readonly (readonly string[])[]): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < calls.length && failures.length === 0) {
      const args = calls[next++] ?? [];
      const r: CliResult = await b.start(...args);
      if (r.code !== 0) failures.push(`berth ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  assert.deepEqual(failures, []);
}

/**
 * One timed CLI call (nothing else of this test running): wall time, and the
 * CPU time (user + system) of berth and the children it waited for, which a
 * busy shared host disturbs less. Through bash's `time` keyword, with the
 * arguments passed as positional parameters (never parsed by the shell).
 */
function timed(...args: string[]): string {
  const r = spawnSync("bash", ["-c", 'TIMEFORMAT="%R %U %S"; time "$@" >/dev/null', "bash", BERTH, ...args], { env: b.env, encoding: "utf8" });
  assert.equal(r.status, 0, `berth ${args.join(" ")}: ${r.stderr}`);
  const [real = NaN, user = NaN, sys = NaN] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return `${(real * 1000).toFixed(0)} ms (cpu ${((user + sys) * 1000).toFixed(0)} ms)`;
}

function lookup(netns: string, server: string, name: string): string | undefined {
  const r = spawnSync("nsenter", [`--net=${netns}`, "busybox", "nslookup", "-type=a", name, server], { encoding: "utf8", timeout: 10_000 });
  return /^Address:\s*([0-9.]+)$/m.exec(r.stdout.split(/^Name:/m)[1] ?? "")?.[1];
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

test(`${CONTAINERS} containers on one network: each runs with a published port, resolves, and goes`, { timeout: 3 * 3600_000 }, async (t) => {
  if (!requireSandbox(t)) return;
  const names = Array.from({ length: CONTAINERS }, (_, i) => `s${i}`);
  const port = (i: number) => 20000 + i;
  const run = (i: number) => [
    "run",
    "-d",
    "--name",
    `s${i}`,
    "--network",
    "big",
    "-p",
    `${port(i)}:8080`,
    ...(i === 0 || i === CONTAINERS - 1 ? ECHO : ["sleep", "7200"]),
  ];
  try {
    b.ok("network", "create", "big", "--subnet", "10.122.0.0/21");
    const times: string[] = [];
    const mid = Math.floor(CONTAINERS / 2);
    times.push(`run #1: ${timed(...run(0))}`);
    await runAll(Array.from({ length: mid - 1 }, (_, k) => run(k + 1)));
    times.push(`run #${mid + 1}: ${timed(...run(mid))}`);
    await runAll(Array.from({ length: CONTAINERS - mid - 2 }, (_, k) => run(mid + 1 + k)));
    times.push(`run #${CONTAINERS}: ${timed(...run(CONTAINERS - 1))}`);
    t.diagnostic(times.join(", "));

    // every container is there, on the bridge, with a distinct address and its port in the map
    const links = berthLinks();
    assert.equal(links.filter((l) => l.kind === "veth" && l.master === "berth1").length, CONTAINERS, "one veth per container on the bridge");
    assert.equal(netnsFiles(b.root).length, CONTAINERS, "one namespace per container");
    const zone = publishedZone(b.root);
    const ips = zone?.networks.find((n) => n.name === "big")?.containers.map((c) => c.ipv4) ?? [];
    assert.equal(ips.length, CONTAINERS, "every name is in the zone");
    assert.equal(new Set(ips).size, CONTAINERS, "addresses are distinct");
    const dnat = nftInventory()?.dnat ?? [];
    assert.equal(dnat.filter((d) => d.startsWith("tcp 0.0.0.0:")).length, CONTAINERS, "one map element per published port");

    // names resolve from the first container to the last and back; the ports answer
    const first = b.netns(`s0`);
    const last = b.netns(`s${CONTAINERS - 1}`);
    assert.equal(lookup(first, "10.122.0.1", `s${CONTAINERS - 1}`), b.ip(`s${CONTAINERS - 1}`), "the first resolves the last");
    assert.equal(lookup(last, "10.122.0.1", "s0"), b.ip("s0"), "the last resolves the first");
    assert.ok(ask("tcp", "127.0.0.1", port(0)), "the first container's published port answers");
    assert.ok(ask("tcp", "127.0.0.1", port(CONTAINERS - 1)), "the last container's published port answers");

    const t0 = performance.now();
    await runAll(chunks(names, 50).map((c) => ["rm", "-f", ...c]));
    t.diagnostic(`rm -f of ${CONTAINERS} containers (50 per call): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container left");
    assert.deepEqual(nftInventory()?.dnat ?? [], [], "no published port left");
    b.ok("network", "rm", "big");
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge, namespace or process left",
    );
  } finally {
    // (no time limit: resetting 1,000 containers on a busy host can take minutes)
    const reset = await b.start("system", "reset", "-f");
    if (reset.code !== 0) t.diagnostic(`reset: ${reset.stderr}`);
  }
});

test(`${NETWORKS} networks on one host: each gets a container that resolves only its own network's names`, { timeout: 3600_000 }, async (t) => {
  if (!requireSandbox(t)) return;
  const nets = Array.from({ length: NETWORKS }, (_, i) => `net${i}`);
  try {
    const times: string[] = [`network create #1: ${timed("network", "create", "net0")}`];
    for (const n of nets.slice(1, -1)) b.ok("network", "create", n);
    times.push(`network create #${NETWORKS}: ${timed("network", "create", `net${NETWORKS - 1}`)}`);
    t.diagnostic(times.join(", "));
    await runAll(nets.map((n) => ["run", "-d", "--name", `on-${n}`, "--network", n, "sleep", "7200"]));

    const nft = nftInventory();
    assert.equal(nft?.sets.get("bridges")?.length, NETWORKS, "every network's bridge is in the nft set");
    assert.equal(berthLinks().filter((l) => l.kind === "bridge").length, NETWORKS, "one bridge per network");
    const zone = publishedZone(b.root);
    assert.equal(zone?.networks.length, NETWORKS, "every network has its names in the zone");
    // the last network's container resolves its own name, not the first network's
    const lastNet = zone?.networks.find((n) => n.name === `net${NETWORKS - 1}`);
    const lastNs = b.netns(`on-net${NETWORKS - 1}`);
    assert.ok(lastNet);
    assert.equal(lookup(lastNs, lastNet.gateway, `on-net${NETWORKS - 1}`), b.ip(`on-net${NETWORKS - 1}`), "resolves its own network's name");
    assert.equal(lookup(lastNs, lastNet.gateway, "on-net0"), undefined, "not another network's name");

    const t0 = performance.now();
    await runAll(chunks(nets, 10).map((c) => ["network", "rm", "-f", ...c]));
    t.diagnostic(`network rm -f of ${NETWORKS} networks with their containers (10 per call): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(b.ok("network", "ls", "-q").trim(), "", "no network left");
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge, namespace or process left",
    );
  } finally {
    // (no time limit: resetting 1,000 containers on a busy host can take minutes)
    const reset = await b.start("system", "reset", "-f");
    if (reset.code !== 0) t.diagnostic(`reset: ${reset.stderr}`);
  }
});

/** `ip -batch` of the given commands (one per line); fails the test if any fails. */
function ipBatch(lines: readonly string[]): void {
  const r = spawnSync("ip", ["-batch", "-"], { input: lines.join("\n") + "\n", encoding: "utf8", timeout: 600_000 });
  assert.equal(r.status, 0, `ip -batch: ${r.stderr}`);
}

test("a full bridge: run is refused with BRIDGE_FULL, the kernel and the store unchanged", { timeout: 600_000 }, async (t) => {
  if (!requireSandbox(t)) return;
  // One container plus ports that something else put on the bridge fill it (1,023 ports): the
  // next run cannot get a port. Berth counts only its own containers, so it learns this from
  // the kernel (EXFULL, and the kernel makes neither veth end); it must say so, not fail half way.
  // The foreign veths' peers live in a scratch namespace held by a sleep: killing it deletes them all.
  const bridge = "berthfull";
  const foreign = Array.from({ length: BRIDGE_MAX_PORTS - 1 }, (_, i) => `xfull${i}`);
  const scratch = spawn("unshare", ["--net", "sleep", "600"], { stdio: "ignore" });
  try {
    b.ok("network", "create", "full", "--subnet", "10.123.0.0/24", "--interface-name", bridge);
    b.ok("run", "-d", "--name", "f0", "--network", "full", "sleep", "7200");
    const ownNetns = readlinkSync("/proc/self/ns/net");
    for (let i = 0; i < 100 && readlinkSync(`/proc/${scratch.pid ?? 0}/ns/net`) === ownNetns; i++) spawnSync("sleep", ["0.05"]);
    assert.notEqual(readlinkSync(`/proc/${scratch.pid ?? 0}/ns/net`), ownNetns, "the scratch namespace exists");
    ipBatch(foreign.map((n) => `link add ${n} master ${bridge} type veth peer name ${n}p netns ${scratch.pid ?? 0}`));
    const ports = () => hostLinks().filter((l) => l.master === bridge).length;
    assert.equal(ports(), BRIDGE_MAX_PORTS, "the bridge is full");

    const r = b.run("run", "-d", "--name", "f1", "--network", "full", "sleep", "7200");
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /Cannot attach "f1" to network "full": its bridge berthfull has no free port .*a Linux bridge takes at most 1023 ports/);
    assert.match(r.stderr, /Hint: Create another network for more containers, or remove the interfaces not made by Berth from berthfull/);
    assert.equal(b.ok("ps", "-a", "--format", "{{.Name}}").trim(), "f0", "no container f1");
    assert.equal(netnsFiles(b.root).length, 1, "no namespace for f1");
    assert.equal(ports(), BRIDGE_MAX_PORTS, "no port added or lost");
    assert.equal(berthLinks().filter((l) => l.kind === "veth").length, 1, "no veth of f1 left");
    assert.deepEqual(
      publishedZone(b.root)
        ?.networks.find((n) => n.name === "full")
        ?.containers.map((c) => c.name),
      ["f0"],
      "no DNS record of f1",
    );

    // with one port free again, the same name runs and gets the address f1 would have leased
    ipBatch([`link del ${foreign[0] ?? ""}`]);
    b.ok("run", "-d", "--name", "f1", "--network", "full", "sleep", "7200");
    assert.equal(b.ip("f1"), "10.123.0.3", "the refused run held no lease");
    b.ok("rm", "-f", "f0", "f1");
    b.ok("network", "rm", "full");
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge, namespace or process left",
    );
  } finally {
    scratch.kill("SIGKILL");
    const reset = await b.start("system", "reset", "-f");
    if (reset.code !== 0) t.diagnostic(`reset: ${reset.stderr}`);
  }
});
