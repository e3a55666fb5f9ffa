// The berth CLI against the podman CLI, in one run inside a throwaway
// network namespace: `ps`, `network ls`, and `run -d ... sleep` + `rm -f`
// of the same command (runc, a busybox image imported locally; Berth runs
// the same busybox tree with --rootfs), medians of BENCH_SAMPLES (default
// 9), run and rm timed apart, the two tools' samples interleaved; with runc,
// and with crun as well when it is installed (BERTH_RUNTIME, podman
// --runtime). Berth's commands go to the Berth service (bin/berth is a thin client);
// the "in-process" rows run the whole CLI in the command's own process
// (BERTH_NO_SERVICE=1), as every command did before the service. Also:
// the first command (which starts the service), and the resident memory
// of the service and the resolver. Run as root: `npm run bench:cli`.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { enterBenchSandbox } from "./sandbox.js";
import { BUSYBOX, IMAGE, PodmanSandbox, podmanMissing } from "../test/podman.js";
import { median } from "./median.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 9);
const BERTH = fileURLToPath(new URL("../../bin/berth", import.meta.url));

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Whether crun is installed (then both tools are measured with it as well). */
function hasCrun(): boolean {
  return spawnSync("crun", ["--version"], { stdio: "ignore" }).status === 0;
}

const UNIFIED = "/sys/fs/cgroup/unified";

/**
 * crun 1.8 (Debian 12) refuses a hybrid cgroup layout (v1 controllers
 * and a cgroup2 mount with controllers at /sys/fs/cgroup/unified), which
 * this VM has; runc accepts it. Before the crun rows the bench unmounts
 * that cgroup2 mount in its own mount namespace and in Podman's (both
 * private to the bench: the host keeps it), so both tools run crun on the
 * v1 controllers.
 */
function hideUnifiedCgroup(pod: PodmanSandbox | undefined): void {
  if (spawnSync("mountpoint", ["-q", UNIFIED]).status !== 0) return;
  spawnSync("umount", [UNIFIED]);
  pod?.exec(["umount", UNIFIED]);
}

function busyboxTree(dir: string): string {
  const rootfs = join(dir, "rootfs");
  for (const d of ["bin", "etc", "proc", "sys", "dev", "tmp"]) mkdirSync(join(rootfs, d), { recursive: true });
  cpSync(BUSYBOX, join(rootfs, "bin", "busybox"));
  chmodSync(join(rootfs, "bin", "busybox"), 0o755);
  for (const a of ["sh", "sleep"]) symlinkSync("busybox", join(rootfs, "bin", a));
  return rootfs;
}

/** Resident memory (VmRSS) of a process, in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? NaN) / 1024;
}

function pidFrom(file: string): number {
  return Number(readFileSync(file, "utf8").split(/\s/)[0]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-cli-"));
  const root = join(dir, "berth");
  mkdirSync(root);
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_ROOT: root };
  delete env["NODE_EXTRA_CA_CERTS"];
  const berth = (extra: NodeJS.ProcessEnv, ...args: string[]): void => {
    const r = spawnSync(process.execPath, [BERTH, ...args], { env: { ...env, ...extra }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`berth ${args.join(" ")}: ${r.stderr}`);
  };
  const rootfs = busyboxTree(dir);
  let podman: PodmanSandbox | undefined;
  try {
    const first = timed(() => berth({}, "network", "create", "clibench"));
    const inProcess = (args: string[]) => median(Array.from({ length: SAMPLES }, () => timed(() => berth({ BERTH_NO_SERVICE: "1" }, ...args))));
    const missing = podmanMissing();
    let pod: PodmanSandbox | undefined;
    if (missing === undefined) {
      podman = await PodmanSandbox.start({ ...process.env }, { backendDir: "/usr/lib/podman" });
      pod = podman;
      pod.importBusybox("bench");
      pod.ok("network", "create", "clibench");
    } else console.log(`note: ${missing}; measuring Berth alone`);
    const viewRows: [string, number, number | undefined][] = [];
    // berth's and podman's samples interleaved, so that both see the same load
    const view = (args: string[]): [number, number | undefined] => {
      const b: number[] = [];
      const q: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        b.push(timed(() => berth({}, ...args)));
        if (pod !== undefined) q.push(timed(() => pod.ok(...args)));
      }
      return [median(b), pod === undefined ? undefined : median(q)];
    };
    const [ps, podPs] = view(["ps"]);
    const [ls, podLs] = view(["network", "ls"]);
    // what any Node.js client pays before its first line runs, in the same minutes
    const nodeFloor = median(Array.from({ length: SAMPLES }, () => timed(() => spawnSync(process.execPath, ["-e", "0"], { env }))));
    viewRows.push(["`ps`", ps, podPs]);
    viewRows.push(["`ps`, in-process (no service)", inProcess(["ps"]), podPs]);
    viewRows.push(["`network ls`", ls, podLs]);
    viewRows.push(["`network ls`, in-process", inProcess(["network", "ls"]), podLs]);
    viewRows.push(["`node -e 0` (Node.js start-up alone), against `podman ps`", nodeFloor, podPs]);

    // run -d + rm -f, the two tools' samples interleaved (berth, podman, berth, ...) so that both see the same load
    let n = 0;
    const berthRunRm = (extra: NodeJS.ProcessEnv): [number, number] => {
      const name = `c${n++}`;
      return [
        timed(() => berth(extra, "run", "-d", "--name", name, "--network", "clibench", "--rootfs", rootfs, "sleep", "600")),
        timed(() => berth(extra, "rm", "-f", name)),
      ];
    };
    const podmanRunRm = (runtime: string): [number, number] => {
      const name = `p${n++}`;
      const p = pod as PodmanSandbox;
      return [
        timed(() => p.ok("--runtime", runtime, "run", "-d", "--name", name, "--network", "clibench", IMAGE, "sleep", "600")),
        timed(() => p.ok("rm", "-f", "-t", "0", name)),
      ];
    };
    const runtimes = ["runc", ...(hasCrun() ? ["crun"] : [])];
    const runRows: { what: string; berth: [number, number]; podman: [number, number] | undefined }[] = [];
    const medians = (xs: [number, number][]): [number, number] => [median(xs.map((x) => x[0])), median(xs.map((x) => x[1]))];
    for (const runtime of runtimes) {
      if (runtime === "crun") hideUnifiedCgroup(pod);
      const env = { BERTH_RUNTIME: runtime };
      // one untimed round each: the runtime's binary in the page cache, the resolver running (see docs/architecture.md)
      berthRunRm(env);
      if (pod !== undefined) podmanRunRm(runtime);
      const b: [number, number][] = [];
      const q: [number, number][] = [];
      for (let i = 0; i < SAMPLES; i++) {
        b.push(berthRunRm(env));
        if (pod !== undefined) q.push(podmanRunRm(runtime));
      }
      runRows.push({ what: `\`run -d ... sleep 600\` + \`rm -f\`, ${runtime}`, berth: medians(b), podman: pod === undefined ? undefined : medians(q) });
    }
    const local: [number, number][] = Array.from({ length: SAMPLES }, () => berthRunRm({ BERTH_RUNTIME: "runc", BERTH_NO_SERVICE: "1" }));
    runRows.push({ what: "the same, runc, in-process (no service)", berth: medians(local), podman: runRows[0]?.podman });

    console.log(`medians of ${SAMPLES}, ms; the first berth command (starts the service): ${first.toFixed(0)} ms`);
    console.log("| command | berth | podman | berth / podman |");
    console.log("|---|---|---|---|");
    for (const [what, b, q] of viewRows)
      console.log(`| ${what} | ${b.toFixed(0)} | ${q === undefined ? "-" : q.toFixed(0)} | ${q === undefined ? "-" : (b / q).toFixed(2)} |`);
    const sum = (x: [number, number]) => x[0] + x[1];
    const pair = (x: [number, number]) => `${x[0].toFixed(0)} + ${x[1].toFixed(0)} = ${sum(x).toFixed(0)}`;
    for (const r of runRows)
      console.log(
        `| ${r.what} | ${pair(r.berth)} | ${r.podman === undefined ? "-" : pair(r.podman)} | ${r.podman === undefined ? "-" : (sum(r.berth) / sum(r.podman)).toFixed(2)} |`,
      );
    const servicePid = pidFrom(join(root, "run", "service.pid"));
    console.log(`resident memory: service ${rssMb(servicePid).toFixed(1)} MB`);
  } finally {
    spawnSync(process.execPath, [BERTH, "system", "reset", "-f"], { env });
    if (podman !== undefined) {
      podman.podman("rm", "-a", "-f", "-t", "0");
      podman.podman("network", "rm", "-f", "clibench");
      podman.dispose();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env["BERTH_TEST_SANDBOX"] === "1") {
  await main();
} else {
  if (process.getuid?.() !== 0) {
    console.error("bench:cli needs root (it runs itself in a throwaway network namespace)");
    process.exit(1);
  }
  enterBenchSandbox(import.meta.url);
}
