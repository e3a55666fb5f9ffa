// The berth CLI against the podman CLI, in one run inside a throwaway
// network namespace: `ps`, `network ls`, and `run -d ... sleep` + `rm -f`
// of the same command (runc, a busybox image imported locally; Berth runs
// the same busybox tree with --rootfs), medians of BENCH_SAMPLES (default
// 9). Berth's commands go to the Berth service (bin/berth is a thin client);
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

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 9);
const BERTH = fileURLToPath(new URL("../../bin/berth", import.meta.url));

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
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
  const rows: [string, number, number | undefined][] = [];
  let podman: PodmanSandbox | undefined;
  try {
    const first = timed(() => berth({}, "network", "create", "clibench"));
    const served = (args: string[]) => median(Array.from({ length: SAMPLES }, () => timed(() => berth({}, ...args))));
    const inProcess = (args: string[]) => median(Array.from({ length: SAMPLES }, () => timed(() => berth({ BERTH_NO_SERVICE: "1" }, ...args))));
    let n = 0;
    const runRm = (extra: NodeJS.ProcessEnv) =>
      median(
        Array.from({ length: SAMPLES }, () => {
          const name = `c${n++}`;
          return timed(() => {
            berth(extra, "run", "-d", "--name", name, "--network", "clibench", "--rootfs", rootfs, "sleep", "600");
            berth(extra, "rm", "-f", name);
          });
        }),
      );
    const missing = podmanMissing();
    let p: { ps: number; ls: number; runRm: number } | undefined;
    if (missing === undefined) {
      podman = await PodmanSandbox.start({ ...process.env }, { backendDir: "/usr/lib/podman" });
      const pod = podman;
      pod.importBusybox("bench");
      pod.ok("network", "create", "clibench");
      const t = (args: string[]) => median(Array.from({ length: SAMPLES }, () => timed(() => pod.ok(...args))));
      let m = 0;
      p = {
        ps: t(["ps"]),
        ls: t(["network", "ls"]),
        runRm: median(
          Array.from({ length: SAMPLES }, () => {
            const name = `p${m++}`;
            return timed(() => {
              pod.ok("run", "-d", "--name", name, "--network", "clibench", IMAGE, "sleep", "600");
              pod.ok("rm", "-f", "-t", "0", name);
            });
          }),
        ),
      };
    } else console.log(`note: ${missing}; measuring Berth alone`);
    rows.push(["ps", served(["ps"]), p?.ps]);
    rows.push(["ps (in-process, no service)", inProcess(["ps"]), p?.ps]);
    rows.push(["network ls", served(["network", "ls"]), p?.ls]);
    rows.push(["network ls (in-process, no service)", inProcess(["network", "ls"]), p?.ls]);
    rows.push(["run -d + rm -f", runRm({}), p?.runRm]);
    rows.push(["run -d + rm -f (in-process, no service)", runRm({ BERTH_NO_SERVICE: "1" }), p?.runRm]);
    console.log(`medians of ${SAMPLES}, ms; the first berth command (starts the service): ${first.toFixed(0)} ms`);
    console.log("| command | berth | podman | berth/podman |");
    console.log("|---|---|---|---|");
    for (const [what, b, q] of rows)
      console.log(`| ${what} | ${b.toFixed(1)} | ${q === undefined ? "-" : q.toFixed(1)} | ${q === undefined ? "-" : (b / q).toFixed(2)} |`);
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
