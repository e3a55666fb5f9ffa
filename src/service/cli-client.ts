import { copyOutput } from "../cli/copy-output.js";
import { berthPaths } from "../paths.js";
import { checkPrivateDir, checkPrivateDirs } from "../private-paths.js";
import { isBerthError, messageOf, type BerthError } from "../errors.js";
import { call, CallError, replyError } from "./client.js";
import { hungError } from "./service-pid.js";
import { servicePaths } from "./paths.js";
import { readFileSync, readlinkSync } from "node:fs";
import { buildId } from "./build-id.js";
import type { ExecResult } from "./protocol.js";

/**
 * What the client loads only when its one request is not enough: starting
 * (or replacing) the service, and following its events. bin/berth loads it
 * from a bundle of its own (client-start.ts), so that a view does not pay
 * for the launcher and koffi.
 */
export type ClientStarter = Pick<typeof import("./client-start.js"), "ensureService" | "eventsMain">;

/** What bin/berth does when the client is done: exit with a code, or run the command in this process ("local"). */
export type ClientOutcome = number | "local";

/** Commands the client runs itself without asking (they need its terminal, or are the service's own). */
const ALWAYS_LOCAL = new Set(["exec", "walkthrough", "dns", "docker-plugin"]);
/** `berth docker-plugin SUB`: these go to the service (they configure what it serves); the bare command is the foreground plugin. */
const DOCKER_PLUGIN_IN_SERVICE = new Set(["enable", "disable", "status"]);

const EXIT_BERTH_ERROR = 125;
/** As if killed by SIGKILL: what the command's own process returned before the service did the work. */
const EXIT_SERVICE_DIED = 137;

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function printError(e: BerthError | Error): void {
  process.stderr.write(`Error: ${e.message}\n`);
  if (isBerthError(e) && e.hint) process.stderr.write(`Hint: ${e.hint}\n`);
}

/**
 * bin/berth as a thin client: the command goes to the Berth service, which
 * parses, runs and formats it with its warm engine, and the client copies
 * its output and exit code. Commands that need the caller's terminal come
 * back as "run locally" (the service decides from the parsed command: a
 * foreground `run`, `exec`, `logs -f`), and the CLI then runs in this
 * process as before. Not root, or BERTH_NO_SERVICE=1: local too.
 */
export async function clientMain(argv: readonly string[], loadStarter: () => Promise<ClientStarter>): Promise<ClientOutcome> {
  const first = argv.find((a) => !a.startsWith("-"));
  if (process.env["BERTH_NO_SERVICE"] === "1" || process.getuid?.() !== 0 || (first !== undefined && ALWAYS_LOCAL.has(first) && !inService(argv, first)))
    return "local";
  if (first === "events") return (await loadStarter()).eventsMain(argv.slice(argv.indexOf("events") + 1));
  const paths = berthPaths(process.env);
  const runDir = paths.runDir;
  const sp = servicePaths(runDir);
  // a run dir Berth refuses (another user could plant a socket there): the
  // command runs here and says so, with what to do. The other directories
  // are checked before the service is started, and by the service for the
  // environment of each call.
  try {
    checkPrivateDir(runDir, "run directory");
  } catch {
    return "local";
  }
  // the caller's paths, /sys and cgroup mounts are what the command must see
  // (`ip netns exec`, a runtime's private mounts): a service in another mount
  // namespace would see its own, so the command runs here
  if (serviceInOtherMountNamespace(sp.pidFile)) return "local";
  const params = { program: "cli", argv, cwd: process.cwd() };
  const env = stringEnv(process.env);
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await call(sp.socket, "exec", { params, env, build: buildId() });
      if ("error" in r) {
        if (r.error.code === "SERVICE_OUTDATED" && attempt < 2) {
          await (await loadStarter()).ensureService(runDir);
          continue;
        }
        printError(replyError(r.error));
        return EXIT_BERTH_ERROR;
      }
      const res = r.result as ExecResult;
      if (res.runLocally) return "local";
      if (r.stdout && r.stdout.length > 0) copyOutput(1, r.stdout);
      if (r.stderr && r.stderr.length > 0) copyOutput(2, r.stderr);
      return res.exitCode;
    } catch (e) {
      if (e instanceof CallError) {
        if (e.failure === "not-running" && attempt < 2) {
          // the service would refuse to start on them: the command runs here and says why
          try {
            checkPrivateDirs(paths, process.env);
          } catch {
            return "local";
          }
          try {
            await (await loadStarter()).ensureService(runDir);
          } catch (err) {
            printError(err as Error);
            return EXIT_BERTH_ERROR;
          }
          continue;
        }
        if (e.failure === "no-access") return "local";
        if (e.failure === "hung") {
          printError(hungError(sp));
          return EXIT_BERTH_ERROR;
        }
        if (e.failure === "died") {
          process.stderr.write(
            `Error: the Berth service ended while it ran this command (killed or crashed)\nHint: run the next berth command: it starts the service again, which rolls back what was left half-done; see ${sp.log}\n`,
          );
          return EXIT_SERVICE_DIED;
        }
      }
      printError(e instanceof Error ? e : new Error(messageOf(e)));
      return EXIT_BERTH_ERROR;
    }
  }
}

/** `berth docker-plugin enable` and its siblings: the word after docker-plugin (no option value can be one of them). */
function inService(argv: readonly string[], first: string): boolean {
  if (first !== "docker-plugin") return false;
  const next = argv.slice(argv.indexOf(first) + 1).find((a) => !a.startsWith("-"));
  return next !== undefined && DOCKER_PLUGIN_IN_SERVICE.has(next);
}

/** Whether the running service (its pid file) is in another mount namespace than this process. */
function serviceInOtherMountNamespace(pidFile: string): boolean {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").split(" ")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    return readlinkSync(`/proc/${pid}/ns/mnt`) !== readlinkSync("/proc/self/ns/mnt");
  } catch {
    return false;
  }
}
