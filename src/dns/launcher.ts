import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";

/** Where the resolver keeps its zone, pid file and log. */
export function dnsDir(paths: BerthPaths): string {
  return join(paths.runDir, "dns");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The resolver daemon's pid, if it is running. */
export function resolverPid(paths: BerthPaths): number | undefined {
  try {
    const pid = Number(readFileSync(join(dnsDir(paths), "resolver.pid"), "utf8").trim());
    return pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Start the resolver daemon if it is not running (detached, logging to
 * resolver.log), and wait until it listens. Kept apart from the daemon's
 * code so berth commands do not load the DNS server to use it.
 */
export async function ensureResolverRunning(paths: BerthPaths, spawnArgs: readonly string[]): Promise<void> {
  if (resolverPid(paths) !== undefined) return;
  const dir = dnsDir(paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = openSync(join(dir, "resolver.log"), "a");
  try {
    const child = spawn(process.execPath, [...spawnArgs], { detached: true, stdio: ["ignore", log, log] });
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + 5000;
  while (resolverPid(paths) === undefined) {
    if (Date.now() > deadline) {
      throw new BerthError("RUNTIME", "The DNS resolver did not start", { hint: `See ${join(dir, "resolver.log")}` });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
