import { spawn } from "node:child_process";
import { closeSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnsDir, type BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";
import { processAlive } from "../process-alive.js";
import { openAppendNoFollow } from "../private-paths.js";
import { waitInDir } from "../file-wait.js";

/**
 * V8 settings of the daemon process. UDP queries are answered on a thread
 * that allocates ~25 bytes per query (the name it looks up), so V8's
 * default young generation (1 MiB to start) is scavenged about once per
 * 40,000 queries, with almost nothing alive, in well under a millisecond.
 * (Before that thread, Node's dgram left ~0.7 KB per query and the daemon
 * needed a 16 MiB young generation, 32 MiB of memory once busy.) No
 * parallel scavenge: on a busy host the thread that scavenges would wait
 * for helpers the scheduler has not run yet (pauses of 5-10 ms measured at
 * load 13 on 2 cores), for a job one thread does faster. No memory
 * reducer: it shrinks an idle heap with full collections (measured: two of
 * 13-33 ms on the main thread ~16 s after start, under load), which take
 * the CPU from the UDP thread on a busy host to save a few MB of a heap
 * that stays at ~5 MB.
 */
export const RESOLVER_NODE_FLAGS: readonly string[] = ["--no-parallel-scavenge", "--no-memory-reducer"];

/** The resolver's listen port: 53, or $BERTH_DNS_PORT (tests and benchmarks). */
export function resolverPort(env: NodeJS.ProcessEnv = process.env): number {
  const p = Number(env["BERTH_DNS_PORT"] ?? 53);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : 53;
}

/** How long the resolver stays after the last name leaves its zone, by default. */
export const RESOLVER_LINGER_MS = 30_000;

/**
 * How long the resolver keeps running, listening nowhere, after the zone
 * became empty (the last container of a DNS network went): a container
 * started meanwhile finds it running instead of waiting for a new Node
 * process and its UDP thread (~250 ms of a `run` on a quiet 2-core VM).
 * $BERTH_DNS_LINGER_MS (0: exit at once), else RESOLVER_LINGER_MS.
 */
export function resolverLingerMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env["BERTH_DNS_LINGER_MS"];
  const n = v === undefined || v === "" ? RESOLVER_LINGER_MS : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 86_400_000 ? n : RESOLVER_LINGER_MS;
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Claim the right to start the daemon: create `resolver.starting` with
 * O_EXCL, so when many berth processes find no resolver at once (50
 * concurrent `run`s) exactly one spawns it and the rest wait for its pid
 * file, instead of a herd of daemons fighting for the lock on a busy host.
 * A marker left by a spawner that was killed is taken over once neither
 * the spawner nor the daemon it names is alive, or after a minute.
 */
function claimStart(marker: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(marker, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let stale: boolean;
    try {
      const pids = readFileSync(marker, "utf8").split(/\s+/).filter(Boolean).map(Number);
      const age = Date.now() - statSync(marker).mtimeMs;
      stale = age > 60_000 || (age > 2_000 && !pids.some((p) => Number.isInteger(p) && p > 0 && processAlive(p)));
    } catch {
      stale = false; // it vanished between the two calls: look again next round
    }
    if (!stale) return false;
    rmSync(marker, { force: true });
  }
  return false;
}

/**
 * Start the resolver daemon unless it runs: spawn `process.execPath
 * ...RESOLVER_NODE_FLAGS ...spawnArgs` detached (with BERTH_RUN_DIR set to this run dir), output
 * appended to `<runDir>/dns/resolver.log`, and wait until it listens (it
 * writes its pid file once its sockets are bound). Only one caller spawns
 * (see claimStart); the others wait. Returns quietly when the daemon exits
 * 0 without serving (the zone was empty, or another daemon won the race
 * and serves). The wait ends early if the daemon dies; while it lives it
 * is given `timeoutMs`, since a host starting 50 containers at once can be
 * slow to schedule a new process. Kept apart from the daemon's code so
 * berth commands do not load the DNS server to use it.
 */
export async function ensureResolverRunning(paths: BerthPaths, spawnArgs: readonly string[], timeoutMs = 60_000): Promise<void> {
  if (resolverPid(paths) !== undefined) return;
  const dir = dnsDir(paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const marker = join(dir, "resolver.starting");
  const deadline = Date.now() + timeoutMs;
  while (resolverPid(paths) === undefined) {
    if (claimStart(marker)) {
      try {
        await spawnAndWait(paths, spawnArgs, marker, deadline, timeoutMs);
      } finally {
        rmSync(marker, { force: true });
      }
      return;
    }
    if (Date.now() > deadline) {
      throw new BerthError("RUNTIME", `The DNS resolver daemon did not start listening within ${timeoutMs} ms`, {
        hint: `Another berth process is starting it (${marker}); see ${join(dir, "resolver.log")}`,
      });
    }
    await sleep(10);
  }
}

async function spawnAndWait(paths: BerthPaths, spawnArgs: readonly string[], marker: string, deadline: number, timeoutMs: number): Promise<void> {
  const logFile = join(dnsDir(paths), "resolver.log");
  const log = openAppendNoFollow(logFile);
  let exit: number | null | undefined;
  try {
    const child = spawn(process.execPath, [...RESOLVER_NODE_FLAGS, ...spawnArgs], {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, BERTH_RUN_DIR: paths.runDir },
    });
    child.on("exit", (code, signal) => (exit = signal ? 128 : code));
    child.on("error", () => (exit = 127));
    child.unref();
    if (child.pid !== undefined) writeFileSync(marker, `${process.pid} ${child.pid}\n`);
  } finally {
    closeSync(log);
  }
  let exitedAt: number | undefined;
  while (resolverPid(paths) === undefined) {
    if (exit !== undefined) {
      exitedAt ??= Date.now();
      // exit 0: nothing to serve, or another daemon holds the lock and is about to (re)write its pid
      if (exit === 0 && Date.now() - exitedAt > 3000) return;
      if (exit !== 0) {
        throw new BerthError("RUNTIME", `The DNS resolver daemon exited with code ${String(exit)} while starting`, {
          hint: `See ${logFile}${logTail(logFile) ? `; it ends with:\n${logTail(logFile)}` : ""}`,
        });
      }
    }
    if (Date.now() > deadline) {
      throw new BerthError("RUNTIME", `The DNS resolver daemon did not start listening within ${timeoutMs} ms`, {
        hint: `It is still starting or hung; see ${logFile}, and check the host's load`,
      });
    }
    await sleep(10);
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
  let gone = false;
  const served = () => {
    if (loadedZoneSerial(paths) >= serial) return true;
    gone = resolverPid(paths) === undefined;
    return gone;
  };
  // the daemon replaces zone.loaded (a rename into the directory) once it serves a new serial
  const ok = await waitInDir(dnsDir(paths), served, { timeoutMs, pollMs: 20, names: ["zone.loaded", "resolver.pid"] }).done;
  return ok && !gone;
}
