// DNS resolver throughput and latency: A lookups of container names from a
// client namespace against Berth's resolver (wire-level fast path), against
// Berth with every packet decoded by dns-packet (BERTH_DNS_FASTPATH=0), and
// against aardvark-dns on an equivalent network when it is installed
// (Debian: aardvark-dns, at /usr/lib/podman/aardvark-dns). Load comes from
// dnsperf when installed (Debian: dnsperf), else from dns-load.ts. Run as
// root; it re-runs itself in a throwaway network+mount+pid namespace:
//   npx tsc -p tsconfig.json && node dist/bench/dns-throughput.js
//
// All resolvers run at once, each on its own port of the same gateway (an
// idle one costs nothing), and the measurements alternate between them in
// rounds, the order rotating each round, so a burst of other load on the
// shared VM hits every resolver alike. Each measurement records the load
// average before it and the CPU time the resolver used.
//
// A third target, "floor", is a responder that does no work at all
// (zero-work-responder.c, built with the system's C compiler when there is
// one): its tail in the same run is what the machine, the kernel's UDP path
// and dnsperf cost by themselves, under any resolver's figures.
//
// BENCH_SECONDS (default 10): length of each measurement. BENCH_RATE
// (default 20000): the fixed rate of the latency run. BENCH_ROUNDS
// (default 3). BENCH_TARGETS (default berth,aardvark,floor; also berth-decode).
// BENCH_LOAD=dnsperf|node|both (default: dnsperf if installed, else node).
// BENCH_NICE=-10: the resolvers and the fixed-rate load run at that nice
// level (all alike), to measure latency as on a quiet VM when other work
// shares it; the max-qps runs stay at normal priority so as not to starve
// that work.
// BENCH_PIN=S,C: pin every resolver thread to CPU S and the load tool to CPU
// C (taskset), so load generator and resolver do not take turns on one core;
// The default on a machine with 2 or more CPUs is 1,0; BENCH_PIN=none lets
// the scheduler place them.
// BENCH_NODE_FLAGS: extra node flags for the Berth daemons, BENCH_LOG_DIR:
// keep their logs there (experiments: --trace-gc, --cpu-prof). A target
// berth:LABEL is a Berth daemon with the node flags in BENCH_NODE_FLAGS_LABEL
// and, if BENCH_MAIN_LABEL names one, another build's daemon-main.js, to
// compare settings or builds in one run.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, readdirSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, setPriority } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempRoot } from "../test/helpers.js";
import { berthPaths, type BerthPaths } from "../src/paths.js";
import { ensureResolverRunning, resolverPid, type DnsZoneSnapshot } from "../src/dns/index.js";
import type { LoadResult } from "./dns-load.js";
import { responderCost } from "./dns-responder.js";
import { enterBenchSandbox } from "./sandbox.js";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const RATE = Number(process.env["BENCH_RATE"] ?? 20000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const NODE_FLAGS = (process.env["BENCH_NODE_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
const GW = "10.79.0.1";
const CLIENT = "10.79.0.2";
const NAMES = Array.from({ length: 100 }, (_, i) => `svc${i}`);
const DAEMON_MAIN = fileURLToPath(new URL("../src/dns/daemon-main.js", import.meta.url));
const LOAD = fileURLToPath(new URL("./dns-load.js", import.meta.url));
const AARDVARK = ["/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns"].find((p) => existsSync(p));
const DNSPERF = (process.env["PATH"] ?? "/usr/sbin:/usr/bin")
  .split(":")
  .map((d) => join(d, "dnsperf"))
  .find((p) => existsSync(p));
const LOAD_TOOLS = (process.env["BENCH_LOAD"] ?? (DNSPERF ? "dnsperf" : "node")).split(",").flatMap((t) => (t === "both" ? ["dnsperf", "node"] : [t]));
const NICE = Number(process.env["BENCH_NICE"] ?? 0);
const PIN = (process.env["BENCH_PIN"] ?? (cpus().length >= 2 ? "1,0" : "none")).split(",").filter((c) => c !== "" && c !== "none");
const PIN_LOAD = PIN[1] === undefined ? [] : ["taskset", "-c", PIN[1]];
const TARGETS = (process.env["BENCH_TARGETS"] ?? "berth,aardvark,floor").split(",").filter(Boolean);
const FLOOR_SOURCE = fileURLToPath(new URL("../../bench/zero-work-responder.c", import.meta.url));
const CC = ["cc", "gcc", "clang"].find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Run to completion with stdout going to `outFile` (not through this process, which would compete for the CPU). */
function run(cmd: string, args: string[], outFile: string): Promise<string> {
  const fd = openSync(outFile, "w");
  return new Promise<string>((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ["ignore", fd, "pipe"] });
    let err = "";
    c.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    c.on("close", (code) => (code === 0 ? resolve(readFileSync(outFile, "utf8")) : reject(new Error(`${cmd} exited ${String(code)}: ${err}`))));
  }).finally(() => closeSync(fd));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** dnsperf: -v prints one line per reply whose last field is the latency in seconds. */
async function dnsperf(ns: string, port: number, queryFile: string, outFile: string, opts: { rate?: number; seconds: number }): Promise<LoadResult> {
  const nice = opts.rate && NICE !== 0 ? ["nice", "-n", String(NICE)] : [];
  const args = [
    `--net=${ns}`,
    ...nice,
    ...PIN_LOAD,
    DNSPERF ?? "dnsperf",
    "-s",
    GW,
    "-p",
    String(port),
    "-d",
    queryFile,
    "-l",
    String(opts.seconds),
    "-t",
    "1",
    "-q",
    "200",
  ];
  if (opts.rate) args.push("-Q", String(opts.rate), "-v");
  const out = await run("nsenter", args, outFile);
  const keep = process.env["BENCH_LOG_DIR"];
  if (keep && opts.rate) copyFileSync(outFile, join(keep, `dnsperf-${port}-${Date.now()}.out`));
  const qps = Number(/Queries per second:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN);
  const sent = Number(/Queries sent:\s+([0-9]+)/.exec(out)?.[1] ?? NaN);
  const lost = Number(/Queries lost:\s+([0-9]+)/.exec(out)?.[1] ?? NaN);
  const lat: number[] = [];
  for (const m of out.matchAll(/^> \S+ .* ([0-9]+\.[0-9]+)$/gm)) lat.push(Number(m[1]) * 1000);
  const sorted = Float64Array.from(lat).sort();
  return {
    sent,
    answered: sent - lost,
    lost,
    qps,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? NaN,
    ...stalls(lat),
  };
}

/**
 * Stalls in a fixed-rate run: runs of consecutive replies (in arrival order)
 * slower than 1 ms. A stall of the resolver, the load tool or the VM delays
 * every query sent during it, so the share of replies inside stalls is what
 * sets the p99; comparing it between resolvers in one run tells the
 * machine's share from the resolver's.
 */
function stalls(latencies: readonly number[]): { stalls: number; stalledShare: number } {
  let count = 0;
  let delayed = 0;
  let inStall = false;
  for (const ms of latencies) {
    if (ms > 1) {
      delayed++;
      if (!inStall) count++;
    }
    inStall = ms > 1;
  }
  return { stalls: count, stalledShare: latencies.length === 0 ? NaN : delayed / latencies.length };
}

async function nodeLoad(ns: string, port: number, outFile: string, opts: { rate?: number; inflight?: number; seconds: number }): Promise<LoadResult> {
  const nice = opts.rate && NICE !== 0 ? ["nice", "-n", String(NICE)] : [];
  const out = await run(
    "nsenter",
    [`--net=${ns}`, ...nice, ...PIN_LOAD, process.execPath, LOAD, JSON.stringify({ server: GW, port, names: NAMES, ...opts })],
    outFile,
  );
  return JSON.parse(out) as LoadResult;
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 100 Hz ticks
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
}

interface Row {
  round: number;
  target: string;
  tool: string;
  /** 1-minute load average before the fixed-rate run. */
  load: number;
  maxQps: number;
  atRate: LoadResult;
  /** CPU the resolver used per answered query during the fixed-rate run. */
  cpuUsPerQuery: number;
}

async function measure(round: number, t: Target, tool: string, ns: string, queryFile: string, outFile: string): Promise<Row> {
  const seconds = tool === "dnsperf" ? SECONDS : Math.min(SECONDS, 5);
  // warm up (JIT, caches)
  await nodeLoad(ns, t.port, outFile, { inflight: 32, seconds: 1 });
  const max = tool === "dnsperf" ? await dnsperf(ns, t.port, queryFile, outFile, { seconds }) : await nodeLoad(ns, t.port, outFile, { inflight: 64, seconds });
  const load = loadavg()[0]!;
  const cpu0 = cpuMs(t.pid);
  const fixed =
    tool === "dnsperf" ? await dnsperf(ns, t.port, queryFile, outFile, { seconds, rate: RATE }) : await nodeLoad(ns, t.port, outFile, { rate: RATE, seconds });
  const cpuUsPerQuery = ((cpuMs(t.pid) - cpu0) * 1000) / fixed.answered;
  const row: Row = { round, target: t.name, tool, load, maxQps: max.qps, atRate: fixed, cpuUsPerQuery };
  process.stderr.write(`${JSON.stringify(row)}\n`);
  return row;
}

function stopPid(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync("sleep", ["0.02"]);
  }
  process.kill(pid, "SIGKILL");
}

/** Start a Berth resolver daemon with its own run dir (one daemon per run dir) on `port`. */
async function berth(paths: BerthPaths, zone: DnsZoneSnapshot, port: number, fastPath: boolean, nodeArgs: readonly string[]): Promise<number> {
  const dir = join(paths.runDir, "dns");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "zone.json.tmp"), JSON.stringify(zone));
  renameSync(join(dir, "zone.json.tmp"), join(dir, "zone.json"));
  process.env["BERTH_DNS_PORT"] = String(port);
  if (fastPath) delete process.env["BERTH_DNS_FASTPATH"];
  else process.env["BERTH_DNS_FASTPATH"] = "0";
  try {
    await ensureResolverRunning(paths, [...nodeArgs, "/dev/null"]);
  } finally {
    delete process.env["BERTH_DNS_PORT"];
    delete process.env["BERTH_DNS_FASTPATH"];
  }
  const pid = resolverPid(paths);
  if (pid === undefined) throw new Error("resolver did not start");
  return pid;
}

/** Wait (up to 5 s) until something listens on GW:`port`/udp. */
async function udpListening(port: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (sh("ss", "-Hlun", "sport", "=", `:${port}`).includes(`${GW}:${port}`)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function aardvark(dir: string, port: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const lines = [GW, `${"c".repeat(64)} ${CLIENT}  client`, ...NAMES.map((n, i) => `${i.toString(16).padStart(64, "0")} 10.79.0.${10 + i}  ${n}`)];
  writeFileSync(join(dir, "bench"), `${lines.join("\n")}\n`);
  const child = spawn(AARDVARK ?? "aardvark-dns", ["--config", dir, "-p", String(port), "run"], { detached: true, stdio: "ignore" });
  child.unref();
  await udpListening(port);
  const pidFile = join(dir, "aardvark.pid");
  return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : (child.pid ?? 0);
}

/** The zero-work responder (zero-work-responder.c), built into `dir`: the machine's own floor under the resolvers' figures. */
async function floor(dir: string, port: number): Promise<number> {
  const bin = join(dir, "zero-work-responder");
  sh(CC ?? "cc", "-O2", "-o", bin, FLOOR_SOURCE);
  const child = spawn(bin, [GW, String(port)], { detached: true, stdio: "ignore" });
  child.unref();
  await udpListening(port);
  return child.pid ?? 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  enterBenchSandbox(import.meta.url);
  const root = tempRoot("berth-dns-bench-");
  const logDir = process.env["BENCH_LOG_DIR"];
  if (logDir) mkdirSync(logDir, { recursive: true });
  const rows: Row[] = [];
  const ns = join(root.root, "ns-client");
  const started: { paths?: BerthPaths; pid: number }[] = [];
  try {
    sh("ip", "link", "add", "bbench0", "type", "bridge");
    sh("ip", "addr", "add", `${GW}/24`, "dev", "bbench0");
    sh("ip", "link", "set", "bbench0", "up");
    writeFileSync(ns, "");
    sh("unshare", `--net=${ns}`, "true");
    sh("ip", "link", "add", "vbench0", "type", "veth", "peer", "name", "eth0", "netns", ns);
    sh("ip", "link", "set", "vbench0", "master", "bbench0", "up");
    sh("nsenter", `--net=${ns}`, "ip", "addr", "add", `${CLIENT}/24`, "dev", "eth0");
    sh("nsenter", `--net=${ns}`, "ip", "link", "set", "eth0", "up");
    sh("nsenter", `--net=${ns}`, "ip", "link", "set", "lo", "up");
    const zone: DnsZoneSnapshot = {
      version: 1,
      networks: [
        {
          id: "bench",
          name: "bench",
          gateway: GW,
          subnet: "10.79.0.0/24",
          dnsServers: [],
          containers: [
            { id: "c".repeat(64), name: "client", aliases: [], ipv4: CLIENT, dnsServers: [] },
            ...NAMES.map((n, i) => ({ id: i.toString(16).padStart(64, "0"), name: n, aliases: [], ipv4: `10.79.0.${10 + i}`, dnsServers: [] })),
          ],
        },
      ],
    };
    const queryFile = join(root.root, "queries.txt");
    writeFileSync(queryFile, NAMES.map((n) => `${n} A`).join("\n") + "\n");
    // dnsperf -v writes a line per reply (~5 MB per 10 s run). On a disk
    // file system its writes stall now and then behind journal and
    // writeback work, and every reply waiting in dnsperf meanwhile counts as
    // slow (measured: a zero-work responder's p99 1.0-1.8 ms writing to
    // ext4, 0.4-0.6 ms to tmpfs). A tmpfs of the bench's own mount
    // namespace keeps the load tool's I/O out of the figures.
    const outDir = join(root.root, "out");
    mkdirSync(outDir);
    sh("mount", "-t", "tmpfs", "-o", "size=256m", "bench-out", outDir);
    const outFile = join(outDir, "load.out");

    const targets: Target[] = [];
    for (const [i, spec] of TARGETS.entries()) {
      const port = 5300 + i;
      const [name, label] = spec.split(":");
      if (name === "berth" || name === "berth-decode") {
        const flags = label ? (process.env[`BENCH_NODE_FLAGS_${label}`] ?? "").split(/\s+/).filter(Boolean) : NODE_FLAGS;
        const paths = berthPaths({ BERTH_ROOT: join(root.root, spec.replace(":", "-")) });
        const main = (label && process.env[`BENCH_MAIN_${label}`]) || DAEMON_MAIN;
        const pid = await berth(paths, zone, port, name === "berth", [...flags, main]);
        started.push({ paths, pid });
        targets.push({
          name: `${name === "berth" ? "Berth" : "Berth, every packet through dns-packet"}${label ? ` (${label}: ${flags.join(" ")})` : ""}`,
          port,
          pid,
        });
      } else if (name === "aardvark") {
        if (!AARDVARK) {
          process.stderr.write("aardvark-dns not installed: skipped (Debian package aardvark-dns)\n");
          continue;
        }
        const pid = await aardvark(join(root.root, "aardvark"), port);
        started.push({ pid });
        targets.push({ name: "aardvark-dns 1.4", port, pid });
      } else if (name === "floor") {
        if (!CC) {
          process.stderr.write("no C compiler: the zero-work floor is skipped (Debian package gcc)\n");
          continue;
        }
        const pid = await floor(root.root, port);
        started.push({ pid });
        targets.push({ name: "zero-work responder (floor)", port, pid });
      } else {
        throw new Error(
          `unknown BENCH_TARGETS entry ${spec}: use berth, berth-decode, aardvark, floor (berth:LABEL takes node flags from BENCH_NODE_FLAGS_LABEL)`,
        );
      }
    }
    // every thread: aardvark answers on tokio worker threads, Node scavenges with helper threads
    if (NICE !== 0) for (const t of targets) for (const tid of readdirSync(`/proc/${t.pid}/task`)) setPriority(Number(tid), NICE);
    if (PIN[0] !== undefined) for (const t of targets) sh("taskset", "-a", "-p", "-c", PIN[0], String(t.pid));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(k + round) % targets.length]!;
        for (const tool of LOAD_TOOLS) rows.push(await measure(round + 1, t, tool, ns, queryFile, outFile));
      }
    }
  } finally {
    for (const s of started) stopPid(s.paths ? (resolverPid(s.paths) ?? s.pid) : s.pid);
    if (logDir) {
      for (const s of started) if (s.paths) copyFileSync(join(s.paths.runDir, "dns", "resolver.log"), join(logDir, `${basename(dirname(s.paths.runDir))}.log`));
    }
    spawnSync("ip", ["link", "del", "bbench0"]);
    spawnSync("ip", ["link", "del", "vbench0"]);
    spawnSync("umount", [ns]);
    spawnSync("umount", [join(root.root, "out")]);
    rmSync(ns, { force: true });
    root.cleanup();
  }
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  const int = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log("\nIn-process, no sockets: answering one A query (1M queries)\n");
  console.log("| path | ns/query | queries/s (one thread) | GC ms per 100k queries |");
  console.log("|---|---|---|---|");
  for (const c of await responderCost()) console.log(`| ${c.path} | ${c.nsPerQuery.toFixed(0)} | ${c.queriesPerSecond} | ${c.gcPauseMsPer100k.toFixed(2)} |`);
  console.log(
    `\nA lookups of 100 container names, ${SECONDS} s per run (dns-load.ts: at most 5 s), fixed rate ${RATE} qps, ${ROUNDS} alternating rounds${NICE ? `, nice ${NICE}` : ""}${PIN.length ? `, resolvers on CPU ${PIN[0] ?? "any"}, load on CPU ${PIN[1] ?? "any"}` : ""}\n`,
  );
  console.log(
    "| round | resolver | load tool | load avg | max qps | qps at fixed rate | p50 ms | p99 ms | p99.9 ms | lost | stalls > 1 ms (share of replies) | resolver CPU µs/query |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.round} | ${r.target} | ${r.tool} | ${r.load.toFixed(2)} | ${int(r.maxQps)} | ${int(r.atRate.qps)} | ${f(r.atRate.p50)} | ${f(r.atRate.p99)} | ${f(r.atRate.p999)} | ${r.atRate.lost} | ${r.atRate.stalls ?? "n/a"} (${r.atRate.stalledShare === undefined ? "n/a" : `${(r.atRate.stalledShare * 100).toFixed(2)}%`}) | ${r.cpuUsPerQuery.toFixed(1)} |`,
    );
  }
  console.log("\nMedian over the rounds, and the round with the lowest p99:\n");
  console.log("| resolver | load tool | max qps | p50 ms | p99 ms | best p99 ms (load avg) |");
  console.log("|---|---|---|---|---|---|");
  for (const name of [...new Set(rows.map((r) => r.target))]) {
    for (const tool of LOAD_TOOLS) {
      const rs = rows.filter((r) => r.target === name && r.tool === tool);
      if (rs.length === 0) continue;
      const best = rs.reduce((a, b) => (b.atRate.p99 < a.atRate.p99 ? b : a));
      console.log(
        `| ${name} | ${tool} | ${int(median(rs.map((r) => r.maxQps)))} | ${f(median(rs.map((r) => r.atRate.p50)))} | ${f(median(rs.map((r) => r.atRate.p99)))} | ${f(best.atRate.p99)} (${best.load.toFixed(2)}) |`,
      );
    }
  }
}

await main();
