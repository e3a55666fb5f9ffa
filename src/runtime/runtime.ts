import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { waitInDir, type DirWait } from "../file-wait.js";
import { tmpdir } from "node:os";
import { isatty } from "node:tty";
import { join } from "node:path";
import { containerRunDir, type BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";
import { execFile } from "../exec.js";
import { writeBundle } from "./bundle.js";
import type { OciConfig } from "./oci-config.js";
import type { ContainerProcessSpec } from "./container-spec.js";
import { createUnderConmon } from "./conmon.js";
import { decodeK8sLog } from "./k8s-log.js";
import { runInherited } from "./foreground.js";
import { findRuntimeBinary } from "./runtime-binary.js";
import { runtimeEnv } from "./runtime-env.js";
import { processAlive, readPidFile, sleep } from "./process-alive.js";
import { runtimeLogErrors, startFailure } from "./start-failure.js";
import { runtimeFailureHint } from "./cgroup-mounts.js";

export interface ContainerState {
  readonly status: "created" | "running" | "stopped" | "missing";
  /** The container's init process (host pid), while it has one. */
  readonly pid: number | undefined;
}

export interface ProcessResult {
  readonly exitCode: number;
  /** Only with `capture`. */
  readonly stdout?: string;
  readonly stderr?: string;
}

export interface ExecOptions {
  /** Allocate a terminal (needs a terminal on stdin with `interactive`, else on stdout or stderr). @default false */
  readonly tty?: boolean;
  /** Pass stdin through. @default false */
  readonly interactive?: boolean;
  /** Collect stdout/stderr instead of inheriting them. @default false */
  readonly capture?: boolean;
  /** Extra `KEY=value` entries on top of the container's environment. */
  readonly env?: readonly string[];
}

/** Bundle files, by convention (conmon and the runtime write them). */
const FILES = { pid: "pidfile", conmonPid: "conmon.pid", log: "ctr.log", runtimeLog: "runtime.log" } as const;

/** How long after a stop the monitor gets to write the exit file. */
const EXIT_RECORD_WAIT_MS = 3000;

/** The runtime's own view of a container (`runc state`). */
interface RawState {
  readonly status: string;
  readonly pid: number;
  readonly bundle: string;
}

/**
 * Containers under a real OCI runtime (runc, or crun: same CLI), with the
 * runtime's state under `<runDir>/runc` so BERTH_ROOT isolates it.
 * Foreground containers are `runc run` children of the CLI; detached ones
 * are created by conmon, which stays as their monitor: it keeps the log,
 * records the exit code in `paths.exitDir`, and runs the exit command, with
 * no berth process alive.
 */
export class Runtime {
  readonly #paths: BerthPaths;
  readonly #given: string | undefined;
  #binary: string | undefined;

  constructor(paths: BerthPaths, opts: { binary?: string } = {}) {
    this.#paths = paths;
    this.#given = opts.binary;
    this.#binary = opts.binary;
  }

  /**
   * Look the runtime up again on next use: a resident process (the Berth
   * service) serves callers whose BERTH_RUNTIME and PATH differ.
   */
  forgetBinary(): void {
    this.#binary = this.#given;
  }

  /** Path of runc/crun (found on first use: $BERTH_RUNTIME, else runc, else crun). */
  get binary(): string {
    this.#binary ??= findRuntimeBinary();
    return this.#binary;
  }

  /** The runtime's state directory (`runc --root`). */
  get stateRoot(): string {
    return join(this.#paths.runDir, "runc");
  }

  /** Write `<bundleDir>/config.json` (plus the root skeleton when using the host's root). */
  writeBundle(spec: ContainerProcessSpec, bundleDir: string): void {
    writeBundle(spec, bundleDir);
  }

  /**
   * Run the container in the foreground and return its exit code; the
   * container is deleted afterwards. stdout/stderr are the caller's (or
   * collected with `capture`); stdin only with `interactive`, as Podman
   * (`-t` alone gives the container a terminal but no input: forwarding the
   * caller's stdin then would pass on whatever it holds, e.g. the byte a
   * `script` session sends at end of input, which the terminal echoes as ^@).
   * Equivalent to: runc --root R run --bundle B ID; runc delete --force ID
   */
  async runForeground(spec: ContainerProcessSpec, bundleDir: string, opts: { capture?: boolean; interactive?: boolean } = {}): Promise<ProcessResult> {
    if (spec.tty) requireTerminal(`container "${spec.name}"`, opts.capture === true, opts.interactive === true);
    this.writeBundle(spec, bundleDir);
    // the runtime's own messages also go to a log, so a command that could not be started is told from one that failed
    const log = join(bundleDir, FILES.runtimeLog);
    rmSync(log, { force: true });
    const args = [`--root=${this.stateRoot}`, "--log", log, "--log-format", "json", "run", "--bundle", bundleDir, spec.id];
    try {
      let r: ProcessResult;
      if (opts.capture) {
        const x = await execFile(this.binary, args, { env: runtimeEnv() });
        r = { exitCode: x.code, stdout: x.stdout, stderr: x.stderr };
      } else r = { exitCode: await runInherited(this.binary, args, { stdin: opts.interactive === true }) };
      const failure = r.exitCode === 0 ? undefined : startFailure(runtimeLogErrors(log));
      if (failure) throw failure;
      return r;
    } finally {
      // `runc run` deletes the container itself when it ends; this covers a runc that died early.
      // A failure here must not hide the exit code (or the error) of the run itself.
      await this.delete(spec.id, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Start the container detached, under conmon; resolves once its process
   * runs, with its (host) pid. `exitCommand` (absolute program path first) runs
   * when the container has exited. Output goes to a log that readLogs() reads.
   * Equivalent to: conmon ... (runc create), then runc start ID
   */
  async startDetached(spec: ContainerProcessSpec, bundleDir: string, opts: { exitCommand?: readonly string[] } = {}): Promise<{ pid: number }> {
    this.writeBundle(spec, bundleDir);
    return this.startBundle({ id: spec.id, name: spec.name, tty: spec.tty === true }, bundleDir, opts);
  }

  /**
   * Start, under conmon, a container whose bundle is already written (a
   * stopped or created container started again, with the same config.json).
   */
  async startBundle(
    spec: { id: string; name: string; tty: boolean },
    bundleDir: string,
    opts: { exitCommand?: readonly string[] } = {},
  ): Promise<{ pid: number }> {
    const pid = await createUnderConmon({
      id: spec.id,
      name: spec.name,
      runtime: this.binary,
      runtimeRoot: this.stateRoot,
      bundleDir,
      pidFile: join(bundleDir, FILES.pid),
      conmonPidFile: join(bundleDir, FILES.conmonPid),
      exitDir: this.#paths.exitDir,
      logPath: join(bundleDir, FILES.log),
      ...(spec.tty ? { tty: true } : {}),
      ...(opts.exitCommand ? { exitCommand: opts.exitCommand } : {}),
    });
    const start = await execFile(this.binary, this.#args("start", spec.id), { env: runtimeEnv() });
    if (start.code !== 0) {
      // conmon sees the init die, records it and runs the exit command
      await this.delete(spec.id, { force: true }).catch(() => undefined);
      const failure = startFailure(start.stderr);
      if (failure) throw failure;
      throw new BerthError("RUNTIME", `Cannot start container "${spec.name}": ${start.stderr.trim() || `${this.binary} start exited with ${start.code}`}`, {
        hint: runtimeFailureHint(start.stderr, "Check that the command exists in the container's root filesystem"),
      });
    }
    return { pid };
  }

  /**
   * Run a further process in a running container; returns its exit code.
   * It gets the container's capabilities, cwd and environment (plus `env`).
   * Equivalent to: runc exec [--tty] [--env E]... ID ARGS...
   */
  async exec(id: string, args: readonly string[], opts: ExecOptions = {}): Promise<ProcessResult> {
    if (opts.tty) requireTerminal(`an exec in container ${id.slice(0, 12)}`, opts.capture === true, opts.interactive === true);
    const st = await this.state(id);
    if (st.status !== "running") {
      throw new BerthError(
        "CONTAINER_NOT_RUNNING",
        `Cannot exec in container ${id.slice(0, 12)}: it is ${st.status === "missing" ? "not known to the runtime" : st.status}`,
        {
          hint: "Start it again with `berth run -d ...`",
        },
      );
    }
    // the runtime's messages also go to a log: a command that could not be started (127/126, as Podman) is told from one that failed
    const logDir = mkdtempSync(join(tmpdir(), "berth-exec-"));
    const log = join(logDir, "runtime.log");
    const argv = [
      `--root=${this.stateRoot}`,
      "--log",
      log,
      "--log-format",
      "json",
      "exec",
      ...(opts.tty ? ["--tty"] : []),
      ...(opts.env ?? []).flatMap((e) => ["--env", e]),
      id,
      ...args,
    ];
    try {
      let r: ProcessResult;
      if (opts.capture) {
        const x = await execFile(this.binary, argv, { env: runtimeEnv() });
        r = { exitCode: x.code, stdout: x.stdout, stderr: x.stderr };
      } else r = { exitCode: await runInherited(this.binary, argv, { stdin: opts.interactive === true }) };
      const failure = r.exitCode === 0 ? undefined : startFailure(runtimeLogErrors(log));
      if (failure) throw failure;
      return r;
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  }

  /** The container's status by the runtime; "missing" if it does not know the id. Equivalent to: runc state ID */
  async state(id: string): Promise<ContainerState> {
    const raw = await this.#rawState(id);
    if (!raw) return { status: "missing", pid: undefined };
    let status: ContainerState["status"];
    switch (raw.status) {
      case "creating":
      case "created":
        status = "created";
        break;
      case "running":
      case "paused":
        status = "running";
        break;
      default:
        status = "stopped";
    }
    return { status, pid: status === "stopped" || raw.pid <= 0 ? undefined : raw.pid };
  }

  /**
   * Send SIGTERM (or `signal`), wait up to `timeoutSec`, then SIGKILL
   * (calling `onKill` first, so the caller can say why it waited);
   * resolves once the process is gone and, for a detached container, its
   * monitor has recorded the exit code. Fine if it already stopped.
   * Equivalent to: runc kill ID TERM; sleep; runc kill ID KILL
   */
  async stop(id: string, timeoutSec: number, signal: string = "SIGTERM", opts: { onKill?: () => void } = {}): Promise<void> {
    const raw = await this.#rawState(id);
    if (!raw) return;
    if ((raw.status === "running" || raw.status === "paused" || raw.status === "created" || raw.status === "creating") && raw.pid > 0) {
      // a created container's init waits for `start`: only SIGKILL means anything to it
      const first = raw.status === "running" ? signal : "SIGKILL";
      await execFile(this.binary, this.#args("kill", id, first), { env: runtimeEnv() });
      if (!(await waitGone(raw.pid, first === "SIGKILL" ? 5000 : timeoutSec * 1000)) && first !== "SIGKILL") {
        opts.onKill?.();
        await execFile(this.binary, this.#args("kill", id, "SIGKILL"), { env: runtimeEnv() });
        if (!(await waitGone(raw.pid, 5000))) {
          throw new BerthError("RUNTIME", `Cannot stop container ${id.slice(0, 12)}: process ${raw.pid} survived SIGKILL`, {
            hint: "It may be stuck in the kernel (uninterruptible I/O); try again later",
          });
        }
      }
    }
    await this.#waitExitRecorded(id, raw.bundle);
  }

  /**
   * Remove the container from the runtime (`force` kills it first). Succeeds
   * if the runtime does not know it. Equivalent to: runc delete [--force] ID
   */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    if (opts.force) await this.#killUnderMonitor(id);
    const r = await execFile(this.binary, this.#args("delete", ...(opts.force ? ["--force"] : []), id), { env: runtimeEnv() });
    if (r.code !== 0 && !/does not exist|not found|no such/i.test(r.stderr)) {
      throw new BerthError("RUNTIME", `Cannot delete container ${id.slice(0, 12)}: ${r.stderr.trim() || `${this.binary} delete exited with ${r.code}`}`, {
        hint: opts.force ? "Run `berth system reconcile`" : "Stop it first, or delete with force",
      });
    }
  }

  /**
   * Send a signal to the container's process (`runc kill ID SIGNAL`); the
   * exit, if it comes, is recorded by its monitor as for any exit.
   */
  async kill(id: string, signal: string): Promise<void> {
    const r = await execFile(this.binary, this.#args("kill", id, signal), { env: runtimeEnv() });
    if (r.code !== 0) {
      throw new BerthError(
        "RUNTIME",
        `Cannot send ${signal} to container ${id.slice(0, 12)}: ${r.stderr.trim() || `${this.binary} kill exited with ${r.code}`}`,
        {
          hint: "Check that it is running (`berth ps`) and that the signal is valid (`kill -l`)",
        },
      );
    }
  }

  /** The config.json of the container's bundle, as written by writeBundle(); undefined if there is none. */
  bundleConfig(id: string, bundleDir?: string): OciConfig | undefined {
    try {
      return JSON.parse(readFileSync(join(bundleDir ?? this.#defaultBundle(id), "config.json"), "utf8")) as OciConfig;
    } catch {
      return undefined;
    }
  }

  /** The exit code conmon recorded in `paths.exitDir`; undefined until the container exited. */
  exitCode(id: string): number | undefined {
    try {
      const text = readFileSync(join(this.#paths.exitDir, id), "utf8").trim();
      const n = Number(text);
      return text !== "" && Number.isInteger(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Where a detached container's log is (`<runDir>/containers/<id>/bundle/ctr.log` unless given another bundle). */
  logPath(id: string, bundleDir?: string): string {
    return join(bundleDir ?? this.#defaultBundle(id), FILES.log);
  }

  /** What a detached container wrote to stdout and stderr, as plain text ("" if nothing or no log). */
  readLogs(id: string, bundleDir?: string): string {
    try {
      return decodeK8sLog(readFileSync(this.logPath(id, bundleDir), "utf8"));
    } catch {
      return "";
    }
  }

  /**
   * Wait until the container's monitor (conmon) has exited; it runs the exit
   * command last and waits for it. True if gone (or there never was one).
   */
  async waitMonitorGone(id: string, timeoutMs = 5000, bundleDir?: string): Promise<boolean> {
    const pid = readPidFile(join(bundleDir ?? this.#defaultBundle(id), FILES.conmonPid));
    return pid === undefined || (await waitGone(pid, timeoutMs));
  }

  #defaultBundle(id: string): string {
    return join(containerRunDir(this.#paths, id), "bundle");
  }

  /** The process is gone; give a live conmon time to write the exit file. */
  async #waitExitRecorded(id: string, bundleDir: string): Promise<void> {
    const conmon = readPidFile(join(bundleDir, FILES.conmonPid));
    if (conmon === undefined) return;
    await waitForExitRecord(this.#paths.exitDir, id, () => this.exitCode(id) !== undefined || !processAlive(conmon)).done;
  }

  /**
   * A detached container whose monitor lives: SIGKILL it and wait for the
   * monitor's exit record, as `podman rm -f -t 0` does. `runc delete
   * --force` on a running container sends SIGKILL itself but then sleeps
   * 100 ms before it first looks whether the process is gone; on a stopped
   * one it deletes at once. Anything else (no monitor, not running, a
   * runtime that refuses) is left to `delete --force`.
   */
  async #killUnderMonitor(id: string): Promise<void> {
    const conmon = readPidFile(join(this.#defaultBundle(id), FILES.conmonPid));
    if (conmon === undefined || !processAlive(conmon) || this.exitCode(id) !== undefined) return;
    const recorded = () => this.exitCode(id) !== undefined || !processAlive(conmon);
    const wait = waitForExitRecord(this.#paths.exitDir, id, recorded);
    const r = await execFile(this.binary, this.#args("kill", id, "SIGKILL"), { env: runtimeEnv() });
    if (r.code !== 0) wait.cancel();
    await wait.done;
  }

  async #rawState(id: string): Promise<RawState | undefined> {
    const r = await execFile(this.binary, this.#args("state", id), { env: runtimeEnv() });
    if (r.code !== 0) {
      if (/does not exist|not found|no such/i.test(r.stderr)) return undefined;
      throw new BerthError("RUNTIME", `Cannot read the state of container ${id.slice(0, 12)}: ${r.stderr.trim()}`, {
        hint: `Check ${this.stateRoot}; \`berth system reconcile\` repairs what it can`,
      });
    }
    const st = JSON.parse(r.stdout) as Partial<RawState>;
    return { status: st.status ?? "stopped", pid: st.pid ?? 0, bundle: st.bundle ?? this.#defaultBundle(id) };
  }

  #args(...args: string[]): string[] {
    return [`--root=${this.stateRoot}`, ...args];
  }
}

/** runc gives a foreground terminal the caller's own: there must be one (and output can't be captured then). */
function requireTerminal(what: string, capture: boolean, interactive: boolean): void {
  // isatty, not process.stdin: that would open stdin as a stream, which the runtime then shares
  const terminal = interactive ? isatty(0) : isatty(1) || isatty(2);
  if (capture || !terminal) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `Cannot allocate a terminal for ${what}: ${capture ? "its output is being captured" : interactive ? "the input device is not a TTY" : "neither stdout nor stderr is a terminal"}`,
      {
        hint: "Leave out -t (--tty), or run the command from a terminal",
      },
    );
  }
}

/** conmon writes `<exitDir>/<id>` once the container's process is reaped; a monitor that died without it is seen by the poll. */
function waitForExitRecord(exitDir: string, id: string, recorded: () => boolean): DirWait {
  return waitInDir(exitDir, recorded, { timeoutMs: EXIT_RECORD_WAIT_MS, names: [id] });
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}
