// Berth's netavark adapter (bin/podman/netavark) against Debian's netavark
// (/usr/lib/podman/netavark), in one run inside a throwaway network
// namespace, on the same captured Podman 4.3.1 input
// (test/fixtures/podman/setup-*.json): `setup` and `teardown` of one
// container on one network, with 0 and with 1 published port, each a fresh
// process per call as Podman runs it. Every call gets its own container id,
// name and address; the namespace is made before and deleted after the
// timed calls, as Podman does. Two situations per tool:
//   - warm: another container already holds the network (bridge, firewall
//     and DNS server up), the common case;
//   - cold: the container is the network's first and last (the call makes
//     and removes the bridge and starts/stops the DNS server).
// Run as root: `npm run bench:podman` (BENCH_SAMPLES=N, default 15).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 15);
const NETAVARK = process.env["BENCH_NETAVARK"] ?? "/usr/lib/podman/netavark";
const AARDVARK = "/usr/lib/podman/aardvark-dns";
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const BERTH_NETAVARK = join(REPO, "bin", "podman", "netavark");
const FIXTURE = join(REPO, "test", "fixtures", "podman", "setup-port.json");

interface Tool {
  readonly name: string;
  readonly binary: string;
  /** second octet of the subnet, bridge name, host port: each tool has its own */
  readonly octet: number;
  readonly bridge: string;
  readonly hostPort: number;
  readonly env: NodeJS.ProcessEnv;
  readonly configDir: string;
}

interface Timing {
  setup: number[];
  teardown: number[];
}

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
}

/** The captured input, re-addressed for this tool and container. */
function input(tool: Tool, index: number, withPort: boolean): string {
  const doc = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown> & {
    networks: Record<string, { static_ips: string[] }>;
    network_info: Record<string, Record<string, unknown>>;
  };
  const netName = `bench${tool.octet}`;
  const [perNet] = Object.values(doc.networks);
  const [info] = Object.values(doc.network_info);
  if (!perNet || !info) throw new Error(`${FIXTURE} has no network`);
  perNet.static_ips = [`10.${tool.octet}.${Math.floor((index + 2) / 250)}.${((index + 2) % 250) + 2}`];
  const out: Record<string, unknown> = {
    ...doc,
    container_id: randomBytes(32).toString("hex"),
    container_name: `c${index}`,
    networks: { [netName]: perNet },
    network_info: {
      [netName]: { ...info, name: netName, network_interface: tool.bridge, subnets: [{ subnet: `10.${tool.octet}.0.0/16`, gateway: `10.${tool.octet}.0.1` }] },
    },
  };
  if (withPort) out["port_mappings"] = [{ host_ip: "", container_port: 80, host_port: tool.hostPort + index, range: 1, protocol: "tcp" }];
  else delete out["port_mappings"];
  return JSON.stringify(out);
}

function call(tool: Tool, verb: "setup" | "teardown", netns: string, json: string): number {
  const t0 = performance.now();
  const r = spawnSync(tool.binary, ["--config", tool.configDir, "--rootless=false", `--aardvark-binary=${AARDVARK}`, verb, netns], {
    input: json,
    env: tool.env,
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${tool.name} ${verb} failed (${String(r.status)}): ${r.stdout}${r.stderr}`);
  return ms;
}

let nsCounter = 0;
function newNetns(dir: string): string {
  const p = join(dir, `ns${nsCounter++}`);
  sh("touch", p);
  sh("unshare", `--net=${p}`, "true");
  return p;
}

function dropNetns(p: string): void {
  spawnSync("umount", [p]);
  rmSync(p, { force: true });
}

/** One container set up then torn down, `SAMPLES` times (index from `first`). */
function measure(tool: Tool, dir: string, withPort: boolean, first: number): Timing {
  const t: Timing = { setup: [], teardown: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const ns = newNetns(dir);
    const json = input(tool, first + i, withPort);
    t.setup.push(call(tool, "setup", ns, json));
    t.teardown.push(call(tool, "teardown", ns, json));
    dropNetns(ns);
  }
  return t;
}

function benchTool(tool: Tool, dir: string): Map<string, Timing> {
  const out = new Map<string, Timing>();
  out.set("cold, 0 ports", measure(tool, dir, false, 1000));
  out.set("cold, 1 port", measure(tool, dir, true, 2000));
  // an anchor container keeps the bridge and DNS server up
  const anchorNs = newNetns(dir);
  const anchor = input(tool, 0, false);
  call(tool, "setup", anchorNs, anchor);
  try {
    out.set("warm, 0 ports", measure(tool, dir, false, 3000));
    out.set("warm, 1 port", measure(tool, dir, true, 4000));
  } finally {
    call(tool, "teardown", anchorNs, anchor);
    dropNetns(anchorNs);
  }
  return out;
}

/** `node -e 0`, in the environment the adapters run node in (without NODE_EXTRA_CA_CERTS, which they drop). */
function nodeStartup(): number {
  const env = { ...process.env };
  delete env["NODE_EXTRA_CA_CERTS"];
  const xs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"], { env });
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-podman-"));
  const berthRoot = join(dir, "berth");
  mkdirSync(berthRoot);
  const tools: Tool[] = [
    {
      name: "berth",
      binary: BERTH_NETAVARK,
      octet: 77,
      bridge: "podman7",
      hostPort: 20000,
      env: { ...process.env, BERTH_ROOT: berthRoot },
      configDir: join(dir, "cfg-berth"),
    },
  ];
  const peer = spawnSync(NETAVARK, ["version"], { encoding: "utf8" });
  if (peer.status === 0)
    tools.push({ name: "netavark", binary: NETAVARK, octet: 78, bridge: "podman8", hostPort: 30000, env: process.env, configDir: join(dir, "cfg-netavark") });
  else console.log(`note: ${NETAVARK} is missing (apt-get install netavark), measuring Berth alone`);
  const results = new Map<string, Map<string, Timing>>();
  try {
    for (const tool of tools) {
      mkdirSync(tool.configDir, { recursive: true });
      results.set(tool.name, benchTool(tool, dir));
    }
  } finally {
    spawnSync(process.execPath, [join(REPO, "bin", "berth"), "system", "reset", "-f"], { env: { ...process.env, BERTH_ROOT: berthRoot } });
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`node start-up (node -e 0): ${nodeStartup().toFixed(1)} ms; medians of ${SAMPLES} runs, ms`);
  const rows: string[][] = [
    ["case", ...tools.flatMap((t) => [`${t.name} setup`, `${t.name} teardown`, `${t.name} total`]), ...(tools.length > 1 ? ["berth/netavark total"] : [])],
  ];
  for (const k of results.get("berth")?.keys() ?? []) {
    const cells = [k];
    const totals: number[] = [];
    for (const t of tools) {
      const m = results.get(t.name)?.get(k);
      const s = median(m?.setup ?? []);
      const d = median(m?.teardown ?? []);
      cells.push(s.toFixed(1), d.toFixed(1), (s + d).toFixed(1));
      totals.push(s + d);
    }
    if (totals.length > 1) cells.push(((totals[0] ?? NaN) / (totals[1] ?? NaN)).toFixed(2));
    rows.push(cells);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i] ?? 0)).join("  "));
}

if (process.env["BERTH_TEST_SANDBOX"] === "1") {
  main();
} else {
  if (process.getuid?.() !== 0) {
    console.error("bench:podman needs root (it runs itself in a throwaway network namespace)");
    process.exit(1);
  }
  enterBenchSandbox(import.meta.url);
}
