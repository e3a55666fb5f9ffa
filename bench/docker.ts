// Docker containers on Berth's driver against Docker's own bridge driver,
// in the same run against one private dockerd (test/docker/dockerd.ts:
// Debian's docker.io with its defaults: iptables on, the userland proxy on):
// `docker run -d` + `docker rm -f` of a container with one published port,
// alternating network by network so machine load hits both alike, and the
// TCP throughput of a port published on 127.0.0.1 (iperf3 in the container,
// the host's binary run from a read-only bind of /): on Berth's network the
// kernel's DNAT, on Docker's docker-proxy. Medians over BENCH_SAMPLES
// containers (default 9) and BENCH_ROUNDS throughput rounds (default 5).
// Run as root: `npm run bench:docker`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DockerNode, IMAGE, dockerMissing } from "../test/docker/dockerd.js";
import { processesMentioning } from "../test/kernel-inventory.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 9);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const SECONDS = 3;
const IPERF3 = "/usr/bin/iperf3";

interface Cycle {
  readonly run: number;
  readonly rm: number;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

let seq = 0;
/** One container's life with a published port on `network`: docker run -d, then docker rm -f, each timed. */
function cycle(node: DockerNode, network: string, hostPort: number): Cycle {
  const name = `c${seq++}`;
  const run = timed(() => node.ok("run", "-d", "--name", name, "--network", network, "-p", `${hostPort}:80`, IMAGE));
  const rm = timed(() => node.ok("rm", "-f", name));
  return { run, rm };
}

/** iperf3's received Gbit/s from 127.0.0.1:port. */
function gbits(port: number): number {
  // the server may still be finishing the previous test ("the server is busy"): ask again
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(IPERF3, ["-c", "127.0.0.1", "-p", String(port), "-t", String(SECONDS), "-J"], { encoding: "utf8", timeout: (SECONDS + 20) * 1000 });
    const j = JSON.parse(r.stdout || "{}") as { error?: string; end?: { sum_received?: { bits_per_second: number } } };
    const bps = j.end?.sum_received?.bits_per_second;
    if (r.status === 0 && bps !== undefined) return bps / 1e9;
    if (attempt >= 20) throw new Error(`iperf3 -c 127.0.0.1 -p ${port}: ${j.error ?? r.stderr}`);
    spawnSync("sleep", ["0.2"]);
  }
}

/** Wait until iperf3 answers on the port (the server in the container is up). */
function waitIperf(port: number): void {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync(IPERF3, ["-c", "127.0.0.1", "-p", String(port), "-t", "1", "-J"], { encoding: "utf8", timeout: 20_000 });
    if (r.status === 0) return;
    spawnSync("sleep", ["0.05"]);
  }
  throw new Error(`iperf3 never answered on 127.0.0.1:${port}`);
}

function fmt(ms: number): string {
  return ms.toFixed(0);
}

async function main(): Promise<void> {
  enterBenchSandbox(import.meta.url);
  const missing = dockerMissing() ?? (existsSync(IPERF3) ? undefined : `${IPERF3} is missing (apt-get install iperf3)`);
  if (missing !== undefined) {
    process.stderr.write(`bench:docker needs ${missing}\n`);
    process.exit(1);
  }
  const root = mkdtempSync(join(tmpdir(), "berth-bench-docker-"));
  const env = { ...process.env, BERTH_ROOT: root };
  const node = await DockerNode.start({ dir: root, env });
  try {
    node.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "--subnet", "10.97.0.0/24", "berthnet");
    node.ok("network", "create", "--subnet", "10.96.0.0/24", "dockernet");
    const nets = [
      { label: "Berth's driver (nftables DNAT)", network: "berthnet", port: 18080, cycles: [] as Cycle[] },
      { label: "Docker's bridge (iptables + docker-proxy)", network: "dockernet", port: 18081, cycles: [] as Cycle[] },
    ];
    for (const n of nets) cycle(node, n.network, n.port); // warm-up: images, bridges, the plugin's first call
    for (let i = 0; i < SAMPLES; i++) for (const n of i % 2 === 0 ? nets : [...nets].reverse()) n.cycles.push(cycle(node, n.network, n.port));

    // throughput on 127.0.0.1: one iperf3 server per network
    const servers = [
      { net: nets[0], port: 19201 },
      { net: nets[1], port: 19202 },
    ];
    for (const s of servers) {
      node.ok(
        "run",
        "-d",
        "--name",
        `iperf-${s.net?.network ?? ""}`,
        "--network",
        s.net?.network ?? "",
        "-p",
        `127.0.0.1:${s.port}:5201`,
        "-v",
        "/:/host:ro",
        // iperf3 keeps its buffers in a file under /tmp
        "--tmpfs",
        "/host/tmp",
        "--entrypoint",
        "/bin/chroot",
        IMAGE,
        "/host",
        IPERF3,
        "-s",
        "-p",
        "5201",
      );
      waitIperf(s.port);
    }
    const proxies = processesMentioning("docker-proxy").filter((p) => p.args.includes("-host-port 19202"));
    if (proxies.length === 0) throw new Error("no docker-proxy serves Docker's 127.0.0.1:19202: the comparison would not be against the userland proxy");
    if (processesMentioning("docker-proxy").some((p) => p.args.includes("-host-port 19201"))) throw new Error("a docker-proxy serves Berth's port");
    const rates: number[][] = [[], []];
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) rates[k]?.push(gbits(servers[k]?.port ?? 0));
    }

    const rows = nets.map((n) => ({
      label: n.label,
      run: median(n.cycles.map((c) => c.run)),
      rm: median(n.cycles.map((c) => c.rm)),
      total: median(n.cycles.map((c) => c.run + c.rm)),
    }));
    const [berth, docker] = rows;
    let out = `docker run -d + docker rm -f with one published port, ms: medians of ${SAMPLES} containers per network, alternating (dockerd ${node.ok("version", "--format", "{{.Server.Version}}")})\n`;
    out += "| network | docker run -d | docker rm -f | both |\n|---|---|---|---|\n";
    for (const r of rows) out += `| ${r.label} | ${fmt(r.run)} | ${fmt(r.rm)} | ${fmt(r.total)} |\n`;
    if (berth && docker)
      out += `| ratio Berth / Docker | ${(berth.run / docker.run).toFixed(2)} | ${(berth.rm / docker.rm).toFixed(2)} | ${(berth.total / docker.total).toFixed(2)} |\n`;
    const b = median(rates[0] ?? []);
    const d = median(rates[1] ?? []);
    out += `\nTCP throughput through a port published on 127.0.0.1 (iperf3, ${SECONDS} s), Gbit/s: medians of ${ROUNDS} alternating rounds\n`;
    out += `| Berth's driver (DNAT) | Docker's bridge (docker-proxy) | ratio |\n|---|---|---|\n| ${b.toFixed(2)} | ${d.toFixed(2)} | ${(b / d).toFixed(2)} |\n`;
    process.stdout.write(out);
    if (process.env["BENCH_PLUGIN_LOG"]) spawnSync("cp", [node.pluginLog, process.env["BENCH_PLUGIN_LOG"]]);
  } finally {
    await node.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
