import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Readable } from "node:stream";
import { BerthError } from "../errors.js";
import { conmonArgs, parseSyncMessage, type ConmonOptions, type SyncMessage } from "./conmon-args.js";
import { runtimeEnv } from "./runtime-env.js";
import { startFailure } from "./start-failure.js";
import { runtimeFailureHint } from "./cgroup-mounts.js";

/** How long `runtime create` may take before Berth gives up on it. */
const CREATE_TIMEOUT_MS = 30_000;

/** conmon's fd for `_OCI_SYNCPIPE` in the child: the 4th stdio slot. */
const SYNC_FD = 3;

/**
 * Have conmon create the container (`runtime create`) and stay as its
 * monitor; resolves with the container's pid once it is created (not yet
 * started: the caller runs `runtime start`). conmon is detached from the
 * caller entirely (its own session, stdio on /dev/null or a log file), so the
 * calling CLI can exit while the container runs. See conmon-args.ts for the
 * protocol.
 */
export async function createUnderConmon(o: ConmonOptions, conmonBinary = "conmon"): Promise<number> {
  const exitCmd = o.exitCommand?.[0];
  if (exitCmd !== undefined && !isAbsolute(exitCmd)) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot use exit command "${exitCmd}": conmon needs an absolute path`, {
      hint: "Pass the full path of the program (conmon runs it with execv, without searching PATH)",
    });
  }
  mkdirSync(o.exitDir, { recursive: true, mode: 0o700 });
  // a stale exit file or pid file would be read as this container's
  rmSync(join(o.exitDir, o.id), { force: true });
  rmSync(o.pidFile, { force: true });
  const outPath = join(o.bundleDir, "conmon.out");
  const out = openSync(outPath, "a");
  let child;
  try {
    child = spawn(conmonBinary, conmonArgs(o), {
      stdio: ["ignore", out, out, "pipe"],
      detached: true,
      cwd: o.bundleDir,
      env: { ...runtimeEnv(), _OCI_SYNCPIPE: String(SYNC_FD) },
    });
  } finally {
    closeSync(out);
  }
  child.unref();
  const spawned = new Promise<never>((_, reject) =>
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "ENOENT" ? new BerthError("MISSING_DEPENDENCY", "Cannot run conmon: program not found", { hint: "Install it: apt-get install conmon" }) : e,
      ),
    ),
  );
  const sync = child.stdio[SYNC_FD] as Readable;
  let msg: SyncMessage | undefined;
  try {
    msg = await Promise.race([readFirstLine(sync, CREATE_TIMEOUT_MS), spawned]);
  } finally {
    sync.destroy();
  }
  if (msg === undefined) {
    killConmon(o.conmonPidFile);
    throw createFailed(o, "conmon reported nothing (it failed or timed out)", tail(outPath));
  }
  if (msg.data <= 0) throw startFailure(msg.message ?? "") ?? createFailed(o, msg.message?.trim() || `conmon reported ${msg.data}`, tail(outPath));
  return msg.data;
}

/** The first line written to the pipe; undefined on EOF or timeout. */
function readFirstLine(stream: Readable, timeoutMs: number): Promise<SyncMessage | undefined> {
  return new Promise((resolve) => {
    let buf = "";
    const done = (v: SyncMessage | undefined) => {
      clearTimeout(timer);
      stream.removeAllListeners("data");
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) done(parseSyncMessage(buf.slice(0, nl)));
    });
    stream.on("end", () => done(buf ? parseSyncMessage(buf) : undefined));
    stream.on("error", () => done(undefined));
    // destroyed by the caller (conmon could not even be started): stop the timer too
    stream.on("close", () => done(buf ? parseSyncMessage(buf) : undefined));
  });
}

function killConmon(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (pid > 1) process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-3).join("; ");
  } catch {
    return "";
  }
}

function createFailed(o: ConmonOptions, what: string, detail: string): BerthError {
  return new BerthError("RUNTIME", `Cannot create container "${o.name}": ${what}${detail ? `: ${detail}` : ""}`, {
    hint: runtimeFailureHint(
      detail,
      "Check that the command exists in the container's root filesystem; `berth run -i ... CMD` in the foreground shows the runtime's own message",
    ),
  });
}
