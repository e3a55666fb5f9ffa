// Publishing one container's 20,000 host ports (-p 20000-39999:20000-39999,
// as Podman sends it: one port mapping with range 20000) through Berth's
// netavark adapter, inside a throwaway network namespace: the time of the
// setup and the teardown, and how long another berth process waits for the
// store meanwhile (`berth network ls` started while the setup runs).
// Run as root: `npm run bench:many-ports` (BENCH_PORTS=N, default 20000).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { enterBenchSandbox } from "./sandbox.js";

const PORTS = Number(process.env["BENCH_PORTS"] ?? 20000);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const ID = "c0ffee".padEnd(64, "0");

function options(): string {
  return JSON.stringify({
    container_id: ID,
    container_name: "many",
    port_mappings: [{ host_ip: "", container_port: 20000, host_port: 20000, range: PORTS, protocol: "tcp" }],
    networks: { manynet: { static_ips: ["10.79.0.2"], aliases: [], interface_name: "eth0" } },
    network_info: {
      manynet: {
        name: "manynet",
        id: "f".repeat(64),
        driver: "bridge",
        network_interface: "podman9",
        subnets: [{ subnet: "10.79.0.0/24", gateway: "10.79.0.1" }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: false,
        ipam_options: { driver: "host-local" },
      },
    },
  });
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-many-ports-"));
  // a backend of its own: the adapter reads where its state is from berth.conf beside it
  const backend = join(dir, "backend");
  mkdirSync(backend);
  symlinkSync(join(REPO, "bin", "podman", "netavark"), join(backend, "netavark"));
  writeFileSync(join(backend, "berth.conf"), `BERTH_ROOT=${join(dir, "root")}\n`);
  const holder = spawn("unshare", ["--net", "sleep", "600"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 200));
  const netns = `/proc/${holder.pid ?? 0}/ns/net`;
  const call = (verb: string) =>
    spawnSync(join(backend, "netavark"), ["--config", join(dir, "cfg"), "--rootless=false", verb, netns], {
      input: options(),
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
  try {
    // another berth process wanting the store while the setup runs: how long it waits
    const env = { ...process.env, BERTH_ROOT: join(dir, "root") };
    spawnSync(process.execPath, [join(REPO, "bin", "berth"), "network", "ls"], { env });
    const setupStart = performance.now();
    const setupP = new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(join(backend, "netavark"), ["--config", join(dir, "cfg"), "--rootless=false", "setup", netns]);
      let out = "";
      c.stdout.on("data", (d: Buffer) => (out += d.toString()));
      c.on("close", (code) => resolve({ code, out }));
      c.stdin.end(options());
    });
    await new Promise((r) => setTimeout(r, 700));
    const waiterStart = performance.now();
    const waiter = await new Promise<number>((resolve) =>
      spawn(process.execPath, [join(REPO, "bin", "berth"), "network", "ls"], { env, stdio: "ignore" }).on("close", () =>
        resolve(performance.now() - waiterStart),
      ),
    );
    const setup = await setupP;
    const setupMs = performance.now() - setupStart;
    if (setup.code !== 0) throw new Error(`setup failed: ${setup.out.slice(0, 500)}`);
    const elements = (
      spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8", maxBuffer: 1 << 26 }).stdout.match(/tcp \. [0-9]+ : /g) ?? []
    ).length;
    const [td, teardownMs] = timed(() => call("teardown"));
    if (td.status !== 0) throw new Error(`teardown failed: ${td.stdout}`);
    process.stdout.write(`${PORTS} published ports of one container through bin/podman/netavark (one process per call)\n`);
    process.stdout.write("| step | ms |\n|---|---|\n");
    process.stdout.write(`| setup (${elements} map elements made) | ${setupMs.toFixed(0)} |\n`);
    process.stdout.write(`| \`berth network ls\` started 0.7 s into the setup | ${waiter.toFixed(0)} |\n`);
    process.stdout.write(`| teardown | ${teardownMs.toFixed(0)} |\n`);
  } finally {
    holder.kill("SIGKILL");
    spawnSync(process.execPath, [join(REPO, "bin", "berth"), "system", "reset", "-f"], { env: { ...process.env, BERTH_ROOT: join(dir, "root") } });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env["BERTH_TEST_SANDBOX"] === "1") {
  await main();
} else {
  enterBenchSandbox(import.meta.url);
}
