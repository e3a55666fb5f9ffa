import { spawn, spawnSync } from "node:child_process";
import { BerthError } from "./errors.js";

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Run a program with an argv array (never a shell string) and collect its output. */
export function execFile(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    }
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(missingProgram(file, e));
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + signalNumber(signal) : 1), stdout, stderr });
    });
    // a program that exits before reading its input closes the pipe: not an error of ours
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

/** Synchronous variant for the few places that cannot await (exit hooks). */
export function execFileSync(file: string, args: readonly string[], opts: ExecOptions = {}): ExecResult {
  const r = spawnSync(file, [...args], {
    encoding: "utf8",
    input: opts.input ?? "",
    env: opts.env ?? process.env,
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
  });
  if (r.error) throw missingProgram(file, r.error as NodeJS.ErrnoException);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function missingProgram(file: string, e: NodeJS.ErrnoException): BerthError {
  if (e.code === "ENOENT") {
    return new BerthError("MISSING_DEPENDENCY", `Cannot run ${file}: program not found`, {
      hint: "Install it (run `scripts/install-deps.sh` as root, or `apt-get install` the package that provides it)",
      cause: e,
    });
  }
  return new BerthError("RUNTIME", `Cannot run ${file}: ${e.message}`, { cause: e });
}

function signalNumber(signal: NodeJS.Signals): number {
  const map: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };
  return map[signal] ?? 0;
}
