/**
 * How the service treats a parsed berth command:
 * - "local": it needs the caller's terminal or stdin, or runs until the
 *   caller stops it or something else happens (a foreground `run`, `exec`,
 *   `logs -f`, `start -a`, `wait`, `topology --watch/--serve`, the walkthrough): the
 *   thin client runs it in its own process, as before. A `wait` queued as a
 *   change would hold the queue that the container's own cleanup (conmon's
 *   exit command) needs before the wait can end;
 * - "read": it only looks (ps, inspect, ls, doctor...): runs alongside others;
 * - "change": everything else, one at a time.
 */
export type CliCommandKind = "local" | "read" | "change";

const READS = new Set([
  "ps",
  "inspect",
  "port",
  "logs",
  "topology",
  "trace",
  "doctor",
  "network ls",
  "network inspect",
  "network exists",
  "system info",
  "ns ls",
  "docker-plugin status",
]);

// `container cleanup` is conmon's exit command: conmon waits for it, and
// changes in the queue (reset, restart) wait for conmon, so it must not queue
// behind them; it is safe beside them (its status check is under the store's lock).
const LOCALS = new Set(["exec", "wait", "walkthrough", "dns serve", "docker-plugin", "container cleanup"]);

/** `path`: the command's names from the top ("network ls"); `opts`: its parsed options. */
export function cliCommandKind(path: string, opts: Readonly<Record<string, unknown>>): CliCommandKind {
  if (LOCALS.has(path)) return "local";
  if (path === "run" && opts["detach"] !== true && opts["dryRun"] !== true) return "local";
  if (path === "logs" && opts["follow"] === true) return "local";
  // start -a prints the container's output until it exits
  if (path === "start" && opts["attach"] === true) return "local";
  // a probe runs until it is answered or the caller interrupts it (Ctrl-C is the client's)
  if (path === "trace" && opts["probe"] === true) return "local";
  // the live views run until Ctrl-C and stream what they draw
  if (path === "topology" && (opts["watch"] === true || opts["serve"] !== undefined)) return "local";
  if (READS.has(path)) return "read";
  return "change";
}
