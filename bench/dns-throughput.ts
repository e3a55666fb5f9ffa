// DNS resolver throughput and latency: A lookups of container names from a
// client namespace against Berth's resolver with the wire-level fast path,
// with every packet decoded by dns-packet (BERTH_DNS_FASTPATH=0), and
// against aardvark-dns on an equivalent network when it is installed
// (Debian: aardvark-dns, at /usr/lib/podman/aardvark-dns). Load comes from
// dnsperf when installed (Debian: dnsperf), else from dns-load.ts. Run as
// root; it re-runs itself in a throwaway network+mount+pid namespace:
//   npx tsc -p tsconfig.json && node dist/bench/dns-throughput.js
// BENCH_SECONDS (default 10) sets each measurement's length; BENCH_RATE
// (default 20000) the fixed rate for the latency run; BENCH_LOAD=dnsperf or
// node runs only that load generator (default: both, dnsperf if installed).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempRoot } from "../test/helpers.js";
import { berthPaths, type BerthPaths } from "../src/paths.js";
import { ensureResolverRunning, resolverPid, type DnsZoneSnapshot } from "../src/dns/index.js";
import type { LoadResult } from "./dns-load.js";
import { responderCost } from "./dns-responder.js";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const RATE = Number(process.env["BENCH_RATE"] ?? 20000);
const LOAD_TOOLS = process.env["BENCH_LOAD"] ?? "both";
const GW = "10.79.0.1";
const CLIENT = "10.79.0.2";
const NAMES = Array.from({ length: 100 }, (_, i) => `svc${i}`);
const DAEMON_MAIN = fileURLToPath(new URL("../src/dns/daemon-main.js", import.meta.url));
const LOAD = fileURLToPath(new URL("./dns-load.js", import.meta.url));
const AARDVARK = ["/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns"].find((p) => existsSync(p));
const DNSPERF = (process.env["PATH"] ?? "/usr/sbin:/usr/bin").split(":").map((d) => join(d, "dnsperf")).find((p) => existsSync(p));

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args);
    let out = "";
    let err = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

interface Row {
  target: string;
  tool: string;
  maxQps: number;
  atRate: { qps: number; p50: number; p99: number; lost: number };
}

/** dnsperf: -v prints one line per reply whose last field is the latency in seconds. */
async function dnsperf(ns: string, queryFile: string, opts: { rate?: number; seconds: number }): Promise<LoadResult> {
  const args = [`--net=${ns}`, DNSPERF ?? "dnsperf", "-s", GW, "-d", queryFile, "-l", String(opts.seconds), "-t", "1", "-q", "200"];
  if (opts.rate) args.push("-Q", String(opts.rate), "-v");
  const out = await run("nsenter", args);
  const qps = Number(/Queries per second:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN);
  const sent = Number(/Queries sent:\s+([0-9]+)/.exec(out)?.[1] ?? NaN);
  const lost = Number(/Queries lost:\s+([0-9]+)/.exec(out)?.[1] ?? NaN);
  const lat: number[] = [];
  for (const line of out.split("\n")) {
    const m = /^> \S+ .* ([0-9]+\.[0-9]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN;
  return { sent, answered: sent - lost, lost, qps, p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: lat[lat.length - 1] ?? NaN };
}

async function nodeLoad(ns: string, opts: { rate?: number; inflight?: number; seconds: number }): Promise<LoadResult> {
  const out = await run("nsenter", [`--net=${ns}`, process.execPath, LOAD, JSON.stringify({ server: GW, names: NAMES, ...opts })]);
  return JSON.parse(out) as LoadResult;
}

async function measure(target: string, ns: string, queryFile: string): Promise<Row[]> {
  const rows: Row[] = [];
  // warm up (JIT, caches)
  await nodeLoad(ns, { inflight: 32, seconds: 1 });
  if (DNSPERF && LOAD_TOOLS !== "node") {
    const max = await dnsperf(ns, queryFile, { seconds: SECONDS });
    const fixed = await dnsperf(ns, queryFile, { seconds: SECONDS, rate: RATE });
    rows.push({ target, tool: "dnsperf", maxQps: max.qps, atRate: { qps: fixed.qps, p50: fixed.p50, p99: fixed.p99, lost: fixed.lost } });
  }
  if (!DNSPERF || LOAD_TOOLS !== "dnsperf") {
    const max = await nodeLoad(ns, { inflight: 64, seconds: Math.min(SECONDS, 5) });
    const fixed = await nodeLoad(ns, { rate: RATE, seconds: Math.min(SECONDS, 5) });
    rows.push({ target, tool: "dns-load.ts", maxQps: max.qps, atRate: { qps: fixed.qps, p50: fixed.p50, p99: fixed.p99, lost: fixed.lost } });
  }
  for (const r of rows) process.stderr.write(`${JSON.stringify(r)}\n`);
  return rows;
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

async function berth(paths: BerthPaths, fastPath: boolean): Promise<number> {
  if (fastPath) delete process.env["BERTH_DNS_FASTPATH"];
  else process.env["BERTH_DNS_FASTPATH"] = "0";
  await ensureResolverRunning(paths, [DAEMON_MAIN, "/dev/null"]);
  const pid = resolverPid(paths);
  if (pid === undefined) throw new Error("resolver did not start");
  return pid;
}

async function aardvark(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const lines = [GW, `${"c".repeat(64)} ${CLIENT}  client`, ...NAMES.map((n, i) => `${i.toString(16).padStart(64, "0")} 10.79.0.${10 + i}  ${n}`)];
  writeFileSync(join(dir, "bench"), `${lines.join("\n")}\n`);
  const child = spawn(AARDVARK ?? "aardvark-dns", ["--config", dir, "-p", "53", "run"], { detached: true, stdio: "ignore" });
  child.unref();
  for (let i = 0; i < 250; i++) {
    if (sh("ss", "-Hlun", "sport", "=", ":53").includes(`${GW}:53`)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const pidFile = join(dir, "aardvark.pid");
  return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : (child.pid ?? 0);
}

async function main(): Promise<void> {
  if (process.env["BERTH_TEST_SANDBOX"] !== "1") {
    const self = fileURLToPath(import.meta.url);
    const sandboxRun = fileURLToPath(new URL("../../scripts/sandbox-run.mjs", import.meta.url));
    const r = spawnSync("unshare", ["--net", "--mount", "--pid", "--mount-proc", "--propagation", "private", "--fork", "--kill-child", "--", process.execPath, sandboxRun, process.execPath, self], { stdio: "inherit" });
    process.exit(r.status ?? 1);
  }
  const root = tempRoot("berth-dns-bench-");
  process.env["BERTH_ROOT"] = root.root;
  const paths = berthPaths(process.env);
  const rows: Row[] = [];
  const ns = join(root.root, "ns-client");
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
      networks: [{
        id: "bench", name: "bench", gateway: GW, subnet: "10.79.0.0/24", dnsServers: [],
        containers: [
          { id: "c".repeat(64), name: "client", aliases: [], ipv4: CLIENT, dnsServers: [] },
          ...NAMES.map((n, i) => ({ id: i.toString(16).padStart(64, "0"), name: n, aliases: [], ipv4: `10.79.0.${10 + i}`, dnsServers: [] })),
        ],
      }],
    };
    mkdirSync(join(paths.runDir, "dns"), { recursive: true });
    writeFileSync(join(paths.runDir, "dns", "zone.json.tmp"), JSON.stringify(zone));
    renameSync(join(paths.runDir, "dns", "zone.json.tmp"), join(paths.runDir, "dns", "zone.json"));
    const queryFile = join(root.root, "queries.txt");
    writeFileSync(queryFile, NAMES.map((n) => `${n} A`).join("\n") + "\n");

    let pid = await berth(paths, true);
    rows.push(...(await measure("berth (fast path)", ns, queryFile)));
    stopPid(pid);
    pid = await berth(paths, false);
    rows.push(...(await measure("berth (dns-packet decode)", ns, queryFile)));
    stopPid(pid);
    if (AARDVARK) {
      const apid = await aardvark(join(root.root, "aardvark"));
      rows.push(...(await measure("aardvark-dns 1.4", ns, queryFile)));
      stopPid(apid);
    } else {
      process.stderr.write("aardvark-dns not installed: skipped (Debian package aardvark-dns)\n");
    }
  } finally {
    stopPid(resolverPid(paths));
    spawnSync("ip", ["link", "del", "bbench0"]);
    spawnSync("ip", ["link", "del", "vbench0"]);
    spawnSync("umount", [ns]);
    root.cleanup();
  }
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  console.log("\nIn-process, no sockets: answering one A query (1M queries)\n");
  console.log("| path | ns/query | queries/s (one thread) | GC ms per 100k queries |");
  console.log("|---|---|---|---|");
  for (const c of await responderCost()) console.log(`| ${c.path} | ${c.nsPerQuery.toFixed(0)} | ${c.queriesPerSecond} | ${c.gcPauseMsPer100k.toFixed(2)} |`);
  console.log(`\nA lookups of 100 container names, ${SECONDS} s per run (dns-load.ts: at most 5 s), fixed rate ${RATE} qps\n`);
  console.log("| resolver | load tool | max qps | qps at fixed rate | p50 ms | p99 ms | lost |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.target} | ${r.tool} | ${Math.round(r.maxQps)} | ${Math.round(r.atRate.qps)} | ${f(r.atRate.p50)} | ${f(r.atRate.p99)} | ${r.atRate.lost} |`);
}

await main();
