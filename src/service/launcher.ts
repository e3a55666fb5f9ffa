import { closeSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BerthError } from "../errors.js";
import { openAppendNoFollow } from "../private-paths.js";
import { processAlive } from "../process-alive.js";
import { call, CallError } from "./client.js";
import { servicePaths, type ServicePaths } from "./paths.js";
import { hungError } from "./service-pid.js";
import { buildId } from "./build-id.js";
import type { ServiceIdentity } from "./server.js";

/** This installation's service program (bin/berth-service), from a module in dist/src/DIR/ or a bundle beside them. */
export const SERVICE_PROGRAM = fileURLToPath(new URL("../../../bin/berth-service", import.meta.url));

/**
 * Node's flags for the service (contrib/systemd/berth.service gives the
 * same). A young generation of at most 2 MB per semi-space: V8 grows it to
 * 16 MB under a burst of calls and keeps it, which left the service 30-35
 * MB larger for good after 1,000 setups, at no measurable cost per call
 * with the cap (bench/README.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=2"];

/**
 * The service's environment: the caller's (BERTH_* and PATH decide what it
 * serves and runs), without NODE_OPTIONS, as under systemd: a root daemon
 * that lives on must not take the options of whichever shell started it
 * (an --inspect would leave a debugger port open to every local user).
 */
export function serviceEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out["NODE_OPTIONS"];
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-6).join("\n").trim();
  } catch {
    return "";
  }
}

async function ping(sp: ServicePaths, silenceMs?: number): Promise<ServiceIdentity | undefined> {
  try {
    const r = await call(sp.socket, "ping", silenceMs === undefined ? {} : { silenceMs });
    return "result" in r ? (r.result as ServiceIdentity) : undefined;
  } catch (e) {
    if (e instanceof CallError && e.failure === "not-running") return undefined;
    throw e;
  }
}

/**
 * Make sure this run dir's service runs this build, and answers. Starts it
 * when nothing serves the socket (a missing or stale socket: the new
 * service takes it over under its lock); when an older build serves it,
 * asks it to stop once idle and starts this one. One client at a time
 * starts a service (the start lock); the others wait for it to answer.
 */
export async function ensureService(runDir: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<ServiceIdentity> {
  const sp = servicePaths(runDir);
  const deadline = Date.now() + timeoutMs;
  const mine = buildId();
  for (;;) {
    let id: ServiceIdentity | undefined;
    try {
      id = await ping(sp);
    } catch (e) {
      if (e instanceof CallError && e.failure === "hung") throw hungError(sp);
      throw e;
    }
    if (id !== undefined && (mine === "" || id.build === mine)) return id;
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    // loaded only to start a service: it brings koffi (flock)
    const { lockFile } = await import("./lock-file.js");
    const lock = await lockFile(sp.startLock, Math.max(0, deadline - Date.now()));
    if (lock === undefined)
      throw new BerthError("SERVICE_UNAVAILABLE", `Another client has been starting the Berth service for ${timeoutMs / 1000} s`, { hint: `See ${sp.log}` });
    try {
      id = await ping(sp);
      if (id !== undefined && (mine === "" || id.build === mine)) return id;
      if (id !== undefined) await replace(sp, id, deadline);
      const started = await start(sp, env, deadline);
      if (started !== undefined) return started;
    } finally {
      lock.close();
    }
    // the one started left, as another service (one still stopping) held the service lock: ask again
  }
}

/** Ask an older service to stop once idle, and wait for its process to end. */
async function replace(sp: ServicePaths, old: ServiceIdentity, deadline: number): Promise<void> {
  await call(sp.socket, "service.stop").catch(() => undefined);
  while (processAlive(old.pid)) {
    if (Date.now() > deadline)
      throw new BerthError("SERVICE_UNAVAILABLE", `The older Berth service (pid ${old.pid}) did not stop`, {
        hint: `It is finishing requests; if it is hung, \`kill ${old.pid}\``,
      });
    await sleep(10);
  }
}

/**
 * Start a service and wait for it to answer. Undefined when it left at once
 * because another service holds the service lock (one that is stopping
 * after its socket went, e.g. with `system reset`): the caller tries again.
 */
async function start(sp: ServicePaths, env: NodeJS.ProcessEnv, deadline: number): Promise<ServiceIdentity | undefined> {
  // loaded here, not with the client: most commands find the service running
  const { spawn } = await import("node:child_process");
  const log = openAppendNoFollow(sp.log);
  let exit: number | undefined;
  try {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, SERVICE_PROGRAM], {
      detached: true,
      cwd: "/",
      stdio: ["ignore", log, log],
      env: serviceEnv(env),
    });
    child.on("exit", (code, signal) => (exit = signal ? 128 : (code ?? 1)));
    child.on("error", () => (exit = 127));
    child.unref();
  } finally {
    closeSync(log);
  }
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const id = await ping(sp).catch(() => undefined);
    if (id !== undefined) return id;
    if (exit === 0) {
      if (Date.now() > deadline) throw notAnswering(sp);
      return undefined;
    }
    if (exit !== undefined) {
      const tail = logTail(sp.log);
      throw new BerthError("SERVICE_UNAVAILABLE", `The Berth service exited with code ${exit} while starting`, {
        hint: `See ${sp.log}${tail ? `; it ends with:\n${tail}` : ""}`,
      });
    }
    if (Date.now() > deadline) throw notAnswering(sp);
    await sleep(delay);
  }
}

function notAnswering(sp: ServicePaths): BerthError {
  const tail = logTail(sp.log);
  return new BerthError("SERVICE_UNAVAILABLE", "The Berth service did not start answering in time", {
    hint: `Check the host's load, and see ${sp.log}${tail ? `; it ends with:\n${tail}` : ""}`,
  });
}
