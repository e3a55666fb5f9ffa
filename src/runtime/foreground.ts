import { spawn } from "node:child_process";
import { isatty } from "node:tty";
import { BerthError } from "../errors.js";
import { runtimeEnv } from "./runtime-env.js";

/**
 * Run the OCI runtime with the caller's stdout/stderr (and stdin when asked),
 * resolving with its exit code; runc passes the container process's own
 * status through (128+N for a signal). SIGTERM and SIGHUP sent to berth are
 * passed on to the runtime, which forwards them to the container; so is
 * SIGINT, unless stdin is a terminal: then Ctrl-C already reached the runtime
 * (same process group) and a second copy would be one too many.
 */
export function runInherited(file: string, args: readonly string[], opts: { stdin: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: [opts.stdin ? "inherit" : "ignore", "inherit", "inherit"], env: runtimeEnv() });
    const forward = (sig: NodeJS.Signals) => {
      if (sig === "SIGINT" && isatty(0)) return;
      child.kill(sig);
    };
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, forward);
    const cleanup = () => {
      for (const s of signals) process.off(s, forward);
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(
        e.code === "ENOENT"
          ? new BerthError("MISSING_DEPENDENCY", `Cannot run ${file}: program not found`, { hint: "Install runc (apt-get install runc) or set BERTH_RUNTIME" })
          : e,
      );
    });
    child.on("close", (code, signal) => {
      cleanup();
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const map: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return (signal && map[signal]) ?? 0;
}
