import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BerthError } from "../errors.js";

export interface ConmonOptions {
  readonly id: string;
  readonly name: string;
  readonly runtime: string;
  readonly runtimeRoot: string;
  readonly bundleDir: string;
  readonly exitDir: string;
  readonly logPath: string;
  readonly exitCommand?: readonly string[];
}

const CREATE_TIMEOUT_MS = 15_000;

/**
 * Have conmon create the container (conmon 2.1: it daemonizes at once and
 * runs `runtime create` in the background; the container pid file appears
 * when creation is done). conmon stays as the container's monitor: it writes
 * the exit code to <exitDir>/<id>, keeps the log in k8s-file format, and runs
 * the exit command when the container exits — with no berth process alive.
 * The caller then runs `runtime start`.
 */
export async function startUnderConmon(o: ConmonOptions): Promise<void> {
  mkdirSync(o.exitDir, { recursive: true, mode: 0o700 });
  const pidFile = join(o.bundleDir, "pidfile");
  const conmonLog = join(o.bundleDir, "conmon.out");
  const args = [
    "--api-version", "1",
    "-c", o.id,
    "-u", o.id,
    "-n", o.name,
    "-r", o.runtime,
    "--runtime-arg", `--root=${o.runtimeRoot}`,
    "-b", o.bundleDir,
    "-p", pidFile,
    "-P", join(o.bundleDir, "conmon.pid"),
    "--exit-dir", o.exitDir,
    "-l", `k8s-file:${o.logPath}`,
    "--log-level", "error",
    "--socket-dir-path", join(o.bundleDir, "sockets"),
    "--full-attach",
  ];
  const [cmd, ...cmdArgs] = o.exitCommand ?? [];
  if (cmd !== undefined) {
    args.push("--exit-command", cmd);
    for (const a of cmdArgs) args.push("--exit-command-arg", a);
  }
  const out = openSync(conmonLog, "a");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("conmon", args, { stdio: ["ignore", out, out], detached: true });
      child.on("error", (e: NodeJS.ErrnoException) =>
        reject(e.code === "ENOENT" ? new BerthError("MISSING_DEPENDENCY", "Cannot run conmon: program not found", { hint: "Install it: apt-get install conmon" }) : e),
      );
      child.on("exit", (code) => (code === 0 ? resolve() : reject(conmonFailed(o, conmonLog, `conmon exited with ${code}`))));
    });
  } finally {
    closeSync(out);
  }
  const deadline = Date.now() + CREATE_TIMEOUT_MS;
  while (!existsSync(pidFile)) {
    if (existsSync(join(o.exitDir, o.id)) || Date.now() > deadline) throw conmonFailed(o, conmonLog, "the container was not created");
    await new Promise((r) => setTimeout(r, 3));
  }
}

function conmonFailed(o: ConmonOptions, log: string, what: string): BerthError {
  let detail = "";
  try {
    detail = readFileSync(log, "utf8").trim().split("\n").slice(-3).join("; ");
  } catch {
    detail = "";
  }
  return new BerthError("RUNTIME", `Cannot create container "${o.name}": ${what}${detail ? `: ${detail}` : ""}`, {
    hint: "Check that the command exists and the runtime works: try `berth run --rm ... true` in the foreground",
  });
}
