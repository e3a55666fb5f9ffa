import { readFileSync, statSync } from "node:fs";
import { BerthError, messageOf } from "../../errors.js";
import { parseNetavarkArgs, type NetavarkCommand } from "./netavark-args.js";
import { backendEnv } from "./backend-config.js";

/** The netavark release whose protocol the adapter speaks. */
const NETAVARK_VERSION = "1.4.0";

/** `netavark version`: JSON as netavark prints it (build_time: when this program was built). */
function versionInfo(programPath: string | undefined): { version: string; commit: string; build_time: string; target: string } {
  let built = new Date(0);
  try {
    if (programPath !== undefined) built = statSync(programPath).mtime;
  } catch {
    // unknown: the epoch
  }
  const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch;
  return { version: NETAVARK_VERSION, commit: "berth", build_time: built.toISOString().replace(/\.[0-9]{3}Z$/, "+00:00"), target: `${arch}-unknown-linux-gnu` };
}

/**
 * `netavark` for Podman, backed by Berth: argv and stdin in netavark's
 * format, translated into engine calls (engine/sandbox/), the reply as
 * netavark's JSON on stdout. Errors are `{"error": "..."}` on stdout with
 * exit code 1; nothing else ever goes to stdout. The engine (SQLite,
 * netlink, nftables) is loaded only for the verbs that need it.
 */
export async function netavarkMain(argv: readonly string[], programPath?: string): Promise<number> {
  mark("main");
  try {
    const cmd = parseNetavarkArgs(argv);
    if (cmd.verb === "short-version") {
      // what `netavark --version` prints, and what Podman 4.6+ shows in `podman info`
      process.stdout.write(`netavark ${NETAVARK_VERSION}\n`);
      return 0;
    }
    if (cmd.verb === "version") {
      process.stdout.write(`${JSON.stringify(versionInfo(programPath), null, 2)}\n`);
      return 0;
    }
    // the same state in every call, whatever environment Podman (or conmon) passed on
    if (programPath !== undefined) {
      const env = backendEnv(programPath, process.env);
      for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
      Object.assign(process.env, env);
    }
    const out = await run(cmd);
    if (out !== undefined) process.stdout.write(`${JSON.stringify(out)}\n`);
    mark("done");
    return 0;
  } catch (e) {
    const hint = e instanceof BerthError && e.hint ? `. Hint: ${e.hint}` : "";
    process.stdout.write(`${JSON.stringify({ error: `${messageOf(e)}${hint}` })}\n`);
    if (process.env["BERTH_DEBUG"]) process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

async function run(cmd: Exclude<NetavarkCommand, { verb: "version" | "short-version" }>): Promise<unknown> {
  switch (cmd.verb) {
    case "setup": {
      const { readSetupInput } = await import("./netavark-input.js");
      const { statusBlocks } = await import("./netavark-output.js");
      const spec = readSetupInput(readInput(cmd.file), cmd.netns);
      return withEngine(async (engine, api) => statusBlocks(await api.attachSandbox(engine, spec)));
    }
    case "teardown": {
      const { readTeardownInput } = await import("./netavark-input.js");
      const spec = readTeardownInput(readInput(cmd.file));
      await withEngine((engine, api) => api.detachSandbox(engine, spec));
      return undefined;
    }
    case "update":
      await withEngine((engine, api) => api.setNetworkDnsServers(engine, cmd.network, cmd.dnsServers));
      return undefined;
  }
}

function readInput(file: string | undefined): string {
  try {
    return readFileSync(file ?? 0, "utf8");
  } catch (e) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot read the network options from ${file ?? "stdin"}: ${messageOf(e)}`, {
      hint: "Pass the JSON on stdin, or name a readable file with --file",
    });
  }
}

type EngineApi = typeof import("../../engine/sandbox/index.js");
type EngineContext = import("../../engine/context.js").Engine;

async function withEngine<T>(fn: (engine: EngineContext, api: EngineApi) => Promise<T>): Promise<T> {
  mark("input read");
  const [{ withEngine: openEngine }, api] = await Promise.all([import("../../engine/with-engine.js"), import("../../engine/sandbox/index.js")]);
  mark("engine loaded");
  const r = await openEngine((engine) => fn(engine, api));
  mark("engine call");
  return r;
}

/** BERTH_TIMING=1: where the process's time goes, on stderr (ms since the process started). */
function mark(what: string): void {
  if (process.env["BERTH_TIMING"]) process.stderr.write(`berth-netavark: ${performance.now().toFixed(1)} ms ${what}\n`);
}
