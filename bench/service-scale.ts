// The Berth service at scale, through bin/podman/netavark (the native
// transport) as Podman calls it, on the captured Podman input
// (test/fixtures/podman/setup-port.json): the 1st container's setup (it
// starts the service, makes the bridge and starts the resolver), the 2nd to
// 26th, and the 976th to 1,000th on the same network (medians), then the
// resident memory of the service and the resolver with no container and
// with 1,000, right after the last setup and after BENCH_SETTLE_S (default
// 20) seconds without calls, with the private (anonymous) part of each.
// Run as root: `npm run bench:service-scale` (BENCH_CONTAINERS=N, default
// 1000; BENCH_FOLLOW_EVENTS=1: with `berth events` following all along,
// as a monitoring tool would).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const COUNT = Number(process.env["BENCH_CONTAINERS"] ?? 1000);
/** Setups in each median: the early ones after the 1st, and the last ones (9 was too few to tell 1.2x from noise). */
const WINDOW = Math.max(1, Math.min(25, Math.floor((COUNT - 1) / 2)));
/** BENCH_DNS=0: the network without DNS (what the resolver's zone reload costs a setup, by difference). */
const DNS = process.env["BENCH_DNS"] !== "0";
/** BENCH_FOLLOW_EVENTS=1: a `berth events` follower all along (what following costs each change). */
const FOLLOW = process.env["BENCH_FOLLOW_EVENTS"] === "1";
/** Seconds without calls before memory is read again (V8 gives memory back when a process idles). */
const SETTLE_S = Number(process.env["BENCH_SETTLE_S"] ?? 20);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const NETAVARK = join(REPO, "bin", "podman", "netavark");
const FIXTURE = join(REPO, "test", "fixtures", "podman", "setup-port.json");

function rssMb(pid: number, field = "VmRSS"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? NaN) / 1024;
}

/** Resident memory of a process, and its private part (RssAnon: the rest is Node's own binary and libraries, shared by every Node process). */
function memory(pid: number): string {
  return `${rssMb(pid).toFixed(1)} MB (${rssMb(pid, "RssAnon").toFixed(1)} MB private)`;
}

/** CPU time (user + system) a process has used, in ms: fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second on Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function pidFrom(file: string): number {
  return Number(readFileSync(file, "utf8").split(/\s/)[0]);
}

/** Poll `done` for up to 10 s. */
function waitFor(done: () => boolean): void {
  for (let i = 0; i < 200 && !done(); i++) spawnSync("sleep", ["0.05"]);
}

function input(index: number): string {
  const doc = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown> & {
    networks: Record<string, { static_ips: string[] }>;
    network_info: Record<string, Record<string, unknown>>;
  };
  const [perNet] = Object.values(doc.networks);
  const [info] = Object.values(doc.network_info);
  if (!perNet || !info) throw new Error(`${FIXTURE} has no network`);
  perNet.static_ips = [`10.79.${Math.floor((index + 2) / 250)}.${((index + 2) % 250) + 2}`];
  const out = {
    ...doc,
    container_id: randomBytes(32).toString("hex"),
    container_name: `c${index}`,
    networks: { scale: perNet },
    network_info: {
      scale: { ...info, name: "scale", network_interface: "podman9", dns_enabled: DNS, subnets: [{ subnet: "10.79.0.0/16", gateway: "10.79.0.1" }] },
    },
  };
  delete (out as Record<string, unknown>)["port_mappings"];
  return JSON.stringify(out);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-scale-"));
  const root = join(dir, "berth");
  mkdirSync(root);
  const cfg = join(dir, "cfg");
  mkdirSync(cfg);
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_ROOT: root };
  const call = (verb: "setup" | "teardown", ns: string, json: string): number => {
    const t0 = performance.now();
    const r = spawnSync(NETAVARK, ["--config", cfg, verb, ns], { input: json, env, encoding: "utf8" });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${verb}: ${r.stdout}${r.stderr}`);
    return ms;
  };
  const made: { ns: string; json: string }[] = [];
  const eventsFile = join(dir, "events.json");
  let follower: ReturnType<typeof spawn> | undefined;
  try {
    // the service alone, before any container: a view starts it
    spawnSync(process.execPath, [join(REPO, "bin", "berth"), "ps"], { env });
    const idle = rssMb(pidFrom(join(root, "run", "service.pid")));
    if (FOLLOW) {
      const out = openSync(eventsFile, "w");
      follower = spawn(process.execPath, [join(REPO, "bin", "berth"), "events", "--format", "json"], { env, stdio: ["ignore", out, "inherit"] });
      closeSync(out);
      waitFor(() => spawnSync("ss", ["-xH", "state", "connected", "src", join(root, "run", "berth.sock")], { encoding: "utf8" }).stdout.trim() !== "");
    }
    const times: number[] = [];
    const cpuBefore = cpuMs(pidFrom(join(root, "run", "service.pid")));
    for (let i = 0; i < COUNT; i++) {
      const ns = join(dir, `ns${i}`);
      spawnSync("touch", [ns]);
      spawnSync("unshare", [`--net=${ns}`, "true"]);
      const json = input(i);
      times.push(call("setup", ns, json));
      made.push({ ns, json });
    }
    const service = rssMb(pidFrom(join(root, "run", "service.pid")));
    const serviceCpu = cpuMs(pidFrom(join(root, "run", "service.pid"))) - cpuBefore;
    const resolver = DNS ? rssMb(pidFrom(join(root, "run", "dns", "resolver.pid"))) : 0;
    const teardowns = made.slice(-9).map((m) => call("teardown", m.ns, m.json));
    if (FOLLOW) {
      const attached = () =>
        readFileSync(eventsFile, "utf8")
          .split("\n")
          .filter((l) => l.includes('"Status":"attach"')).length;
      waitFor(() => attached() >= COUNT);
      console.log(`berth events followed all along: ${attached()} attach events for ${COUNT} setups`);
    }
    console.log(`${COUNT} containers on one network (DNS ${DNS ? "on" : "off"}) through bin/podman/netavark, setup times in ms`);
    console.log("| container | setup |");
    console.log("|---|---|");
    console.log(`| 1st (starts the service, the bridge, the resolver) | ${(times[0] ?? NaN).toFixed(1)} |`);
    const early = median(times.slice(1, 1 + WINDOW));
    const late = median(times.slice(-WINDOW));
    console.log(`| 2nd-${1 + WINDOW}th (median) | ${early.toFixed(1)} |`);
    console.log(`| ${COUNT - WINDOW + 1}th-${COUNT}th (median) | ${late.toFixed(1)} |`);
    console.log(`| late / early | ${(late / early).toFixed(2)} |`);
    console.log(`| teardown, last 9 (median) | ${median(teardowns).toFixed(1)} |`);
    console.log(
      `resident memory: service idle ${idle.toFixed(1)} MB; with ${COUNT} containers: service ${service.toFixed(1)} MB + resolver ${resolver.toFixed(1)} MB`,
    );
    console.log(`the service's CPU time for the ${COUNT} setups: ${(serviceCpu / COUNT).toFixed(1)} ms per setup`);
    spawnSync("sleep", [String(SETTLE_S)]);
    const settledService = memory(pidFrom(join(root, "run", "service.pid")));
    const settledResolver = DNS ? memory(pidFrom(join(root, "run", "dns", "resolver.pid"))) : "-";
    console.log(`after ${SETTLE_S} s without calls, with ${COUNT - teardowns.length} containers: service ${settledService} + resolver ${settledResolver}`);
    made.splice(-9);
  } finally {
    follower?.kill();
    for (const m of made) spawnSync(NETAVARK, ["--config", cfg, "teardown", m.ns], { input: m.json, env });
    spawnSync(process.execPath, [join(REPO, "bin", "berth"), "system", "reset", "-f"], { env });
    for (let i = 0; i < COUNT; i++) spawnSync("umount", [join(dir, `ns${i}`)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env["BERTH_TEST_SANDBOX"] === "1") {
  main();
} else {
  if (process.getuid?.() !== 0) {
    console.error("bench:service-scale needs root (it runs itself in a throwaway network namespace)");
    process.exit(1);
  }
  enterBenchSandbox(import.meta.url);
}
