import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";
import { processAlive } from "../process-alive.js";

/** Where the resolver keeps its zone, pid file and log: `<runDir>/dns`. */
export function dnsDir(paths: BerthPaths): string {
  return join(paths.runDir, "dns");
}


/** The resolver's listen port: 53, or $BERTH_DNS_PORT (tests and benchmarks). */
export function resolverPort(env: NodeJS.ProcessEnv = process.env): number {
  const p = Number(env["BERTH_DNS_PORT"] ?? 53);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : 53;
}

/** The resolver daemon's pid if it is running (its pid file names a live process). */
export function resolverPid(paths: BerthPaths): number | undefined {
  try {
    const pid = Number(readFileSync(join(dnsDir(paths), "resolver.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-6).join("\n").trim();
  } catch {
    return "";
  }
}

/**
 * Start the resolver daemon unless it runs: spawn `process.execPath
 * ...spawnArgs` detached, output appended to `<runDir>/dns/resolver.log`,
 * and wait until it listens (it writes its pid file once its sockets are
 * bound). Returns quietly when the daemon exits 0 without serving (the zone
 * was empty, or another daemon won the race and serves). Kept apart from
 * the daemon's code so berth commands do not load the DNS server to use it.
 */
export async function ensureResolverRunning(paths: BerthPaths, spawnArgs: readonly string[], timeoutMs = 10_000): Promise<void> {
  if (resolverPid(paths) !== undefined) return;
  const dir = dnsDir(paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = join(dir, "resolver.log");
  const log = openSync(logFile, "a");
  let exit: number | null | undefined;
  try {
    const child = spawn(process.execPath, [...spawnArgs], { detached: true, stdio: ["ignore", log, log] });
    child.on("exit", (code, signal) => (exit = signal ? 128 : code));
    child.on("error", () => (exit = 127));
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  let exitedAt: number | undefined;
  while (resolverPid(paths) === undefined) {
    if (exit !== undefined) {
      exitedAt ??= Date.now();
      // exit 0: nothing to serve, or another daemon holds the lock and is about to (re)write its pid
      if (exit === 0 && Date.now() - exitedAt > 3000) return;
      if (exit !== 0) {
        throw new BerthError("RUNTIME", `The DNS resolver daemon exited with code ${exit} while starting`, {
          hint: `See ${logFile}${logTail(logFile) ? `; it ends with:\n${logTail(logFile)}` : ""}`,
        });
      }
    }
    if (Date.now() > deadline) {
      throw new BerthError("RUNTIME", `The DNS resolver daemon did not start listening within ${timeoutMs} ms`, { hint: `See ${logFile}` });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The zone serial the running daemon serves (it writes `zone.loaded` after each reload), or 0. */
export function loadedZoneSerial(paths: BerthPaths): number {
  try {
    const n = Number(readFileSync(join(dnsDir(paths), "zone.loaded"), "utf8").trim());
    return Number.isSafeInteger(n) ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * Wait until the daemon serves zone `serial` or a newer one, so a name is
 * resolvable when the berth command that added it returns. Returns false
 * when the daemon is gone or `timeoutMs` passes (the daemon still picks
 * the zone up; only the promise of "at once" is lost).
 */
export async function waitForZoneLoaded(paths: BerthPaths, serial: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (loadedZoneSerial(paths) >= serial) return true;
    if (resolverPid(paths) === undefined || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}
