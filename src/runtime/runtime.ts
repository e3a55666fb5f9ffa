import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { containerRunDir, type BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";
import { execFile } from "../exec.js";
import { writeBundle } from "./bundle.js";
import type { ContainerProcessSpec } from "./oci-config.js";
import { startUnderConmon } from "./conmon.js";
import { decodeK8sLog } from "./k8s-log.js";

export interface ContainerState {
  readonly status: "created" | "running" | "stopped" | "missing";
  readonly pid: number | undefined;
}

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Pick the OCI runtime: $BERTH_RUNTIME, else runc, else crun. */
export function findRuntimeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env["BERTH_RUNTIME"];
  if (wanted) return wanted;
  for (const p of ["/usr/sbin/runc", "/usr/bin/runc", "/usr/bin/crun", "/usr/local/bin/runc", "/usr/local/bin/crun"]) if (existsSync(p)) return p;
  throw new BerthError("MISSING_DEPENDENCY", "No OCI runtime found (runc or crun)", { hint: "Install one: apt-get install runc" });
}

/**
 * Containers under a real OCI runtime (runc/crun), its state kept under
 * <runDir>/runc so BERTH_ROOT isolates it. Foreground containers are run by
 * `runc run`; detached ones are created by conmon, which stays as their
 * monitor, records the exit code and runs the exit command.
 */
export class Runtime {
  readonly #paths: BerthPaths;
  #binary: string | undefined;

  constructor(paths: BerthPaths, opts: { binary?: string } = {}) {
    this.#paths = paths;
    this.#binary = opts.binary;
  }

  get binary(): string {
    this.#binary ??= findRuntimeBinary();
    return this.#binary;
  }

  get stateRoot(): string {
    return join(this.#paths.runDir, "runc");
  }

  #args(...args: string[]): string[] {
    return [`--root=${this.stateRoot}`, ...args];
  }

  writeBundle(spec: ContainerProcessSpec, bundleDir: string): void {
    writeBundle(spec, bundleDir);
  }

  /** `runc run`: stdio inherited (or captured); resolves with the exit code once the container is gone. */
  async runForeground(spec: ContainerProcessSpec, bundleDir: string, opts: { capture?: boolean } = {}): Promise<ProcessResult> {
    this.writeBundle(spec, bundleDir);
    const args = this.#args("run", "--bundle", bundleDir, spec.id);
    if (opts.capture) {
      const r = await execFile(this.binary, args);
      await this.delete(spec.id, { force: true });
      return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
    }
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: "inherit" });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on("SIGINT", forward);
      process.on("SIGTERM", forward);
      child.on("error", reject);
      child.on("close", (c, sig) => {
        process.off("SIGINT", forward);
        process.off("SIGTERM", forward);
        resolve(c ?? (sig === "SIGKILL" ? 137 : 128));
      });
    });
    await this.delete(spec.id, { force: true });
    return { exitCode: code };
  }

  /** Create and start a detached container under conmon; resolves with the container's pid. */
  async startDetached(spec: ContainerProcessSpec, bundleDir: string, opts: { exitCommand?: readonly string[] } = {}): Promise<{ pid: number }> {
    this.writeBundle(spec, bundleDir);
    await startUnderConmon({
      id: spec.id,
      name: spec.name,
      runtime: this.binary,
      runtimeRoot: this.stateRoot,
      bundleDir,
      exitDir: this.#paths.exitDir,
      logPath: this.logPath(spec.id, bundleDir),
      ...(opts.exitCommand ? { exitCommand: opts.exitCommand } : {}),
    });
    const start = await execFile(this.binary, this.#args("start", spec.id));
    if (start.code !== 0) {
      throw new BerthError("RUNTIME", `Cannot start container "${spec.name}": ${start.stderr.trim()}`, { hint: "Check the command exists inside the container's root filesystem" });
    }
    const pid = Number(readFileSync(join(bundleDir, "pidfile"), "utf8").trim());
    return { pid };
  }

  /** `runc exec`: stdio inherited (or captured). */
  async exec(id: string, args: readonly string[], opts: { tty?: boolean; interactive?: boolean; capture?: boolean; env?: readonly string[] } = {}): Promise<ProcessResult> {
    const argv = this.#args("exec", ...(opts.tty ? ["--tty"] : []), ...(opts.env ?? []).flatMap((e) => ["--env", e]), id, ...args);
    if (opts.capture) {
      const r = await execFile(this.binary, argv);
      return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
    }
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(this.binary, argv, { stdio: [opts.interactive || opts.tty ? "inherit" : "ignore", "inherit", "inherit"] });
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 137));
    });
    return { exitCode: code };
  }

  async state(id: string): Promise<ContainerState> {
    const r = await execFile(this.binary, this.#args("state", id));
    if (r.code !== 0) return { status: "missing", pid: undefined };
    const st = JSON.parse(r.stdout) as { status?: string; pid?: number };
    const status = st.status === "running" || st.status === "created" ? st.status : "stopped";
    return { status, pid: st.pid || undefined };
  }

  /** SIGTERM (or `signal`), then SIGKILL after `timeoutSec`; resolves once stopped. */
  async stop(id: string, timeoutSec: number, signal = "SIGTERM"): Promise<void> {
    if ((await this.state(id)).status !== "running") return;
    await execFile(this.binary, this.#args("kill", id, signal));
    const deadline = Date.now() + timeoutSec * 1000;
    while (Date.now() < deadline) {
      if ((await this.state(id)).status !== "running") return;
      await sleep(50);
    }
    await execFile(this.binary, this.#args("kill", "--all", id, "SIGKILL"));
    for (let i = 0; i < 100 && (await this.state(id)).status === "running"; i++) await sleep(20);
  }

  /** `runc delete --force`; succeeds when the container is already gone. */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    const r = await execFile(this.binary, this.#args("delete", ...(opts.force ? ["--force"] : []), id));
    if (r.code !== 0 && !/does not exist|not found/i.test(r.stderr)) {
      throw new BerthError("RUNTIME", `Cannot delete container ${id.slice(0, 12)}: ${r.stderr.trim()}`, { hint: "Run `berth system reconcile`" });
    }
  }

  /** Wait until the container's conmon has exited (it runs the exit command last). */
  async waitMonitorGone(id: string, timeoutMs = 5000): Promise<boolean> {
    let pid: number;
    try {
      pid = Number(readFileSync(join(containerRunDir(this.#paths, id), "bundle", "conmon.pid"), "utf8").trim());
    } catch {
      return true;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!processRunning(pid)) return true;
      await sleep(20);
    }
    return false;
  }

  /** The exit code conmon recorded, if the container has exited. */
  exitCode(id: string): number | undefined {
    try {
      const n = Number(readFileSync(join(this.#paths.exitDir, id), "utf8").trim());
      return Number.isInteger(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  logPath(id: string, bundleDir?: string): string {
    return join(bundleDir ?? join(containerRunDir(this.#paths, id), "bundle"), "ctr.log");
  }

  /** What a detached container wrote, as plain text. */
  readLogs(id: string): string {
    try {
      return decodeK8sLog(readFileSync(this.logPath(id), "utf8"));
    } catch {
      return "";
    }
  }
}

/** Alive and not a zombie. */
function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
