import { readFileSync, statSync } from "node:fs";
import { BerthError, messageOf } from "../../errors.js";
import { parseNetavarkArgs, type NetavarkCommand } from "./netavark-args.js";
import { buildCommit } from "../../service/build-id.js";
import { netavarkErrorText, rustIoText, withNetavarkText } from "./netavark-error-text.js";

/** The netavark release whose protocol the adapter speaks. */
const NETAVARK_VERSION = "1.4.0";

/** One netavark call's answer: what goes to stdout, and the exit code. */
export interface NetavarkOutcome {
  readonly stdout: string;
  readonly exitCode: number;
}

/** Where a call's network options come from: stdin's text, or the file `--file` names. */
export type InputReader = (file: string | undefined) => string;

/** `netavark version`: JSON as netavark prints it (commit: Berth's git commit; build_time: when this program was built). */
function versionInfo(programPath: string | undefined): { version: string; commit: string; build_time: string; target: string } {
  let built = new Date(0);
  try {
    if (programPath !== undefined) built = statSync(programPath).mtime;
  } catch {
    // unknown: the epoch
  }
  const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch;
  return {
    version: NETAVARK_VERSION,
    commit: buildCommit(),
    build_time: built.toISOString().replace(/\.[0-9]{3}Z$/, "+00:00"),
    target: `${arch}-unknown-linux-gnu`,
  };
}

/**
 * One `netavark` call for Podman, backed by Berth, as a function: argv and
 * the input in netavark's format, translated into engine calls
 * (engine/sandbox/), the reply as netavark's JSON. Errors are
 * `{"error": "..."}` with exit code 1. The caller has set up the
 * environment (the BERTH_* paths of backend-config.ts); the Berth service
 * runs this for bin/podman/netavark, and main.ts in a process of its own.
 */
export async function netavarkCall(argv: readonly string[], programPath: string | undefined, readInput: InputReader): Promise<NetavarkOutcome> {
  let cmd: NetavarkCommand | undefined;
  try {
    cmd = parseNetavarkArgs(argv);
    if (cmd.verb === "short-version") {
      // what `netavark --version` prints, and what Podman 4.6+ shows in `podman info`
      return { stdout: `netavark ${NETAVARK_VERSION}\n`, exitCode: 0 };
    }
    if (cmd.verb === "version") return { stdout: `${JSON.stringify(versionInfo(programPath), null, 2)}\n`, exitCode: 0 };
    const out = await run(cmd, readInput);
    return { stdout: out === undefined ? "" : `${JSON.stringify(out)}\n`, exitCode: 0 };
  } catch (e) {
    if (process.env["BERTH_DEBUG"]) process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return { stdout: netavarkError(e, cmd), exitCode: 1 };
  }
}

/**
 * netavark's error reply: `{"error": "message. Hint: ..."}` and a newline;
 * for the failures netavark words in a way Podman users know, netavark's
 * exact text (netavark-error-text.ts), with Berth's message and hint on
 * stderr when Podman logs at info level or finer (it passes its log level
 * as RUST_LOG, and shows netavark's stderr as `netavark: ...` info lines).
 */
export function netavarkError(e: unknown, cmd?: NetavarkCommand): string {
  const hint = e instanceof BerthError && e.hint ? `. Hint: ${e.hint}` : "";
  const own = `${messageOf(e)}${hint}`;
  const text = netavarkErrorText(e, cmd);
  if (text !== undefined && logsInfo(process.env["RUST_LOG"])) process.stderr.write(`[berth] ${own}\n`);
  return `${JSON.stringify({ error: text ?? own })}\n`;
}

/**
 * Whether RUST_LOG (env_logger's directives: `LEVEL` or `TARGET=LEVEL`,
 * comma-separated) shows netavark's info lines: Podman passes
 * `netavark=<its log level>`.
 */
export function logsInfo(rustLog: string | undefined): boolean {
  return (rustLog ?? "").split(",").some((d) => {
    const [target, level] = d.includes("=") ? d.split("=", 2) : ["", d];
    return (target === "" || target === "netavark") && /^(info|debug|trace)$/i.test((level ?? "").trim());
  });
}

/** Whether a call changes state (setup, teardown, update): the service runs those one at a time. */
export function netavarkCallMutates(argv: readonly string[]): boolean {
  return argv.some((a) => a === "setup" || a === "teardown" || a === "update");
}

async function run(cmd: Exclude<NetavarkCommand, { verb: "version" | "short-version" }>, readInput: InputReader): Promise<unknown> {
  switch (cmd.verb) {
    case "setup": {
      const { readSetupInput } = await import("./netavark-input.js");
      const { statusBlocks } = await import("./netavark-output.js");
      const spec = readSetupInput(input(readInput, cmd.file), cmd.netns);
      return withEngine(async (engine, api) => statusBlocks(await api.attachSandbox(engine, spec)));
    }
    case "teardown": {
      const { readTeardownInput } = await import("./netavark-input.js");
      const spec = readTeardownInput(input(readInput, cmd.file));
      await withEngine((engine, api) => api.detachSandbox(engine, spec));
      return undefined;
    }
    case "update":
      await withEngine((engine, api) => api.setNetworkDnsServers(engine, cmd.network, cmd.dnsServers));
      return undefined;
  }
}

/** Read the input from stdin, or from a named file (through the caller's reader). */
export function readInputFrom(stdin: () => string): InputReader {
  return (file) => (file === undefined ? stdin() : readFileSync(file, "utf8"));
}

function input(readInput: InputReader, file: string | undefined): string {
  try {
    return readInput(file);
  } catch (e) {
    const err = new BerthError("INVALID_ARGUMENT", `Cannot read the network options from ${file ?? "stdin"}: ${messageOf(e)}`, {
      hint: "Pass the JSON on stdin, or name a readable file with --file",
    });
    const errno = (e as NodeJS.ErrnoException).errno;
    // netavark's words, as Podman shows them
    throw typeof errno === "number" ? withNetavarkText(err, `failed to load network options: IO error: ${rustIoText(Math.abs(errno))}`) : err;
  }
}

// The engine is loaded only for the calls that need it (not for `info` or
// bad input), and only the sandbox API: a dynamic import keeps every export
// of the module it names, so importing engine/index.ts here would put the
// whole engine (topology, trace, doctor...) into the netavark bundle (measured:
// 342 KB -> 701 KB). engine/sandbox/index.ts is the part of engine/index.ts's
// surface this adapter uses: the one exception to "adapters import only
// engine/index.ts" (docs/architecture.md).
type EngineApi = typeof import("../../engine/sandbox/index.js");
type EngineContext = import("../../engine/index.js").Engine;

async function withEngine<T>(fn: (engine: EngineContext, api: EngineApi) => Promise<T>): Promise<T> {
  mark("input read");
  const [{ withEngine: openEngine }, api] = await Promise.all([import("../../engine/with-engine.js"), import("../../engine/sandbox/index.js")]);
  mark("engine loaded");
  const r = await openEngine((engine) => fn(engine, api));
  mark("engine call");
  return r;
}

/** BERTH_TIMING=1: where the process's time goes, on stderr (ms since the process started). */
export function mark(what: string): void {
  if (process.env["BERTH_TIMING"]) process.stderr.write(`berth-netavark: ${performance.now().toFixed(1)} ms ${what}\n`);
}
