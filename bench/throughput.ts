// TCP throughput through a published port (nftables DNAT) versus straight
// to the container's address, with iperf3, from an "outside" namespace and
// from the host via 127.0.0.1. Everything runs in a throwaway namespace.
// Run as root: `npm run bench:throughput`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 2);
/** Direct and published runs alternate this many times; the figures are medians, so a burst of other load hits both paths alike. */
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);

function sh(argv: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", ...(env ? { env } : {}) });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function gbits(host: string, port: number, netns?: string): number {
  const argv = ["iperf3", "-c", host, "-p", String(port), "-t", String(SECONDS), "-J"];
  const out = sh(netns ? ["nsenter", `--net=${netns}`, ...argv] : argv);
  const j = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
  return j.end.sum_received.bits_per_second / 1e9;
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  if (spawnSync("iperf3", ["--version"]).status !== 0) {
    process.stdout.write("iperf3 is not installed (apt-get install iperf3); skipping\n");
    return;
  }
  const root = mkdtempSync(join(tmpdir(), "berth-bench-"));
  const env = { ...process.env, BERTH_ROOT: root };
  const berth = (...args: string[]) => sh([process.execPath, MAIN, ...args], env);
  const outside = join(root, "outside");
  try {
    writeFileSync(outside, "");
    sh(["unshare", `--net=${outside}`, "true"]);
    sh(["ip", "link", "add", "vhost0", "type", "veth", "peer", "name", "vout0"]);
    sh(["ip", "link", "set", "vout0", "netns", outside]);
    sh(["ip", "addr", "add", "198.51.100.1/24", "dev", "vhost0"]);
    sh(["ip", "link", "set", "vhost0", "up"]);
    sh(["nsenter", `--net=${outside}`, "ip", "addr", "add", "198.51.100.2/24", "dev", "vout0"]);
    sh(["nsenter", `--net=${outside}`, "ip", "link", "set", "vout0", "up"]);
    sh(["nsenter", `--net=${outside}`, "ip", "route", "add", "default", "via", "198.51.100.1"]);
    berth("run", "-d", "--name", "srv", "-p", "9201:5201", "iperf3", "-s", "-p", "5201");
    const ip = berth("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "srv").trim();
    spawnSync("sleep", ["0.5"]);
    // Berth lets nothing unsolicited into container networks; open the direct path for the comparison only
    sh(["nft", "insert", "rule", "inet", "berth", "forward", "ip", "saddr", "198.51.100.0/24", "accept"]);
    // iperf3 serves one client at a time: run the pairs one after another, alternating
    const samples = {
      outsideDirect: [] as number[],
      outsidePublished: [] as number[],
      hostDirect: [] as number[],
      hostLocalhost: [] as number[],
      outsideRatio: [] as number[],
      hostRatio: [] as number[],
    };
    for (let i = 0; i < ROUNDS; i++) {
      const od = gbits(ip, 5201, outside);
      const op = gbits("198.51.100.1", 9201, outside);
      const hd = gbits(ip, 5201);
      const hl = gbits("127.0.0.1", 9201);
      samples.outsideDirect.push(od);
      samples.outsidePublished.push(op);
      samples.hostDirect.push(hd);
      samples.hostLocalhost.push(hl);
      samples.outsideRatio.push(op / od);
      samples.hostRatio.push(hl / hd);
    }
    const outsideDirect = median(samples.outsideDirect);
    const outsidePublished = median(samples.outsidePublished);
    const hostDirect = median(samples.hostDirect);
    const hostLocalhost = median(samples.hostLocalhost);
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const row = (what: string, direct: number, published: number, ratios: number[]) =>
      `| ${what} | ${direct.toFixed(2)} | ${published.toFixed(2)} | ${pct(median(ratios))} (${pct(Math.min(...ratios))}-${pct(Math.max(...ratios))}) |`;
    process.stdout.write(
      `TCP throughput with iperf3, Gbit/s: medians of ${ROUNDS} alternating rounds of ${SECONDS} s; ratio = median of the per-round ratios (range)\n| client | direct to the container | through the published port | ratio |\n|---|---|---|---|\n`,
    );
    process.stdout.write(`${row("outside namespace (host address 198.51.100.1:9201)", outsideDirect, outsidePublished, samples.outsideRatio)}\n`);
    process.stdout.write(`${row("the host (127.0.0.1:9201)", hostDirect, hostLocalhost, samples.hostRatio)}\n`);
  } finally {
    spawnSync(process.execPath, [MAIN, "system", "reset", "-f"], { env });
    spawnSync("ip", ["link", "del", "vhost0"]);
    spawnSync("umount", [outside]);
    rmSync(root, { recursive: true, force: true });
  }
}

main();
