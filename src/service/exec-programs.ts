import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { BerthError, messageOf } from "../errors.js";
import { inRequest, type RequestContext } from "./request-context.js";
import { adapterEnv, applyCallerEnv } from "./request-env.js";
import { cliCommandKind } from "./cli-command-kind.js";
import type { MutationQueue } from "./mutation-queue.js";
import type { ResidentEngines } from "./resident-engines.js";

/** Which program an `exec` request runs in the service. */
export type ProgramName = "netavark" | "cni" | "cli";

/** An `exec` request's parameters: what a per-call executable had (argv, environment, stdin). */
export interface ExecParams {
  readonly program: ProgramName;
  readonly argv: readonly string[];
  /** stdin's text (netavark's and CNI's JSON input); the CLI gets none. */
  readonly stdin?: string;
  /** The caller's working directory (relative paths in a CLI command). */
  readonly cwd?: string;
  /** The path the caller was run as (netavark: its directory may hold berth.conf; `version`). */
  readonly programPath?: string;
}

export interface ExecOutcome {
  /** Run after the reply is sent: deferred work, then the change's turn ends. Always called once. */
  readonly finish?: () => void;
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The command needs the caller's terminal: nothing was done, the client runs it. */
  readonly runLocally?: true;
}

/** What the programs need of the service. */
export interface ExecDeps {
  readonly engines: ResidentEngines;
  readonly queue: MutationQueue;
}

export function parseExecParams(p: unknown): ExecParams {
  const o = (p ?? {}) as Record<string, unknown>;
  const program = o["program"];
  if (program !== "netavark" && program !== "cni" && program !== "cli") {
    throw new BerthError("INVALID_ARGUMENT", `Unknown program ${JSON.stringify(program)}`, { hint: 'exec runs "netavark", "cni" or "cli"' });
  }
  const argv = o["argv"];
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) throw new BerthError("INVALID_ARGUMENT", "exec: argv must be a list of strings");
  const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const stdin = str("stdin");
  const cwd = str("cwd");
  const programPath = str("programPath");
  return {
    program,
    argv: argv as string[],
    ...(stdin === undefined ? {} : { stdin }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(programPath === undefined ? {} : { programPath }),
  };
}

function context(deps: ExecDeps, env: NodeJS.ProcessEnv, repair: boolean): RequestContext {
  return { engine: () => deps.engines.forEnv(env), repair, stdout: [], stderr: [], ...(repair ? { afterReply: [] } : {}) };
}

/** Run the work deferred past the reply; a failure is logged (reconcile sweeps what it leaves, e.g. an empty bridge). */
export function runAfterReply(ctx: RequestContext): void {
  for (const work of ctx.afterReply?.splice(0) ?? []) {
    try {
      work();
    } catch (e) {
      process.stderr.write(`${new Date().toISOString()} berth-service[${process.pid}]: deferred work failed: ${messageOf(e)}\n`);
    }
  }
}

function outcome(ctx: RequestContext, exitCode: number, stdout?: string): ExecOutcome {
  return { exitCode, stdout: stdout === undefined ? Buffer.concat(ctx.stdout) : Buffer.from(stdout), stderr: Buffer.concat(ctx.stderr) };
}

/**
 * Run one call of a per-call program in the service: the adapters'
 * functions for netavark and CNI (argv, environment, stdin in; stdout and
 * exit code out), or a CLI command. Changes wait their turn in the queue
 * and run with the caller's environment; the engine's repair of
 * interrupted work runs before each change, as in a process of its own.
 */
export async function execProgram(deps: ExecDeps, p: ExecParams, callerEnv: Readonly<Record<string, string>>): Promise<ExecOutcome> {
  switch (p.program) {
    case "netavark":
      return netavark(deps, p, adapterEnv(process.env, callerEnv));
    case "cni":
      return cni(deps, p, adapterEnv(process.env, callerEnv));
    case "cli":
      return cli(deps, p, callerEnv);
  }
}

/**
 * Run a change in its turn with the caller's environment. The turn ends
 * with `finish` (after the reply), which first runs what the change
 * deferred past the reply.
 */
async function asChange<T>(
  deps: ExecDeps,
  ctx: RequestContext,
  env: Readonly<Record<string, string>>,
  cwd: string | undefined,
  fn: () => Promise<T>,
  what: string,
): Promise<{ value: T; finish: () => void }> {
  const release = await deps.queue.acquire(what);
  const finish = () => {
    try {
      runAfterReply(ctx);
    } finally {
      release();
    }
  };
  const restore = applyCallerEnv(env, cwd);
  try {
    deps.engines.forgetKernelCaches();
    return { value: await fn(), finish };
  } catch (e) {
    finish();
    throw e;
  } finally {
    restore();
  }
}

async function netavark(deps: ExecDeps, p: ExecParams, env0: Record<string, string>): Promise<ExecOutcome> {
  const [{ netavarkCall, netavarkCallMutates, netavarkError }, { backendEnv }] = await Promise.all([
    import("../interop/podman/netavark-call.js"),
    import("../interop/podman/backend-config.js"),
  ]);
  let env: Record<string, string>;
  try {
    env = p.programPath === undefined ? env0 : (backendEnv(p.programPath, env0) as Record<string, string>);
  } catch (e) {
    return { exitCode: 1, stdout: Buffer.from(netavarkError(e)), stderr: Buffer.alloc(0) };
  }
  const stdin = p.stdin ?? "";
  const readInput = (file: string | undefined): string => (file === undefined ? stdin : readFileText(file));
  const mutates = netavarkCallMutates(p.argv);
  const ctx = context(deps, env, mutates);
  const call = () => inRequest(ctx, () => netavarkCall(p.argv, p.programPath, readInput));
  if (!mutates) {
    const r = await call();
    return outcome(ctx, r.exitCode, r.stdout);
  }
  const { value: r, finish } = await asChange(deps, ctx, env, p.cwd, call, `netavark ${netavarkVerb(p.argv)}`);
  return { ...outcome(ctx, r.exitCode, r.stdout), finish };
}

async function cni(deps: ExecDeps, p: ExecParams, env: Record<string, string>): Promise<ExecOutcome> {
  const [{ runCniPlugin }, { engineBackend }] = await Promise.all([import("../interop/cni/plugin.js"), import("../interop/cni/engine-backend.js")]);
  const mutates = env["CNI_COMMAND"] !== "VERSION";
  const ctx = context(deps, env, mutates);
  const call = () => inRequest(ctx, () => runCniPlugin(env, p.stdin ?? "", () => Promise.resolve(engineBackend())));
  if (!mutates) {
    const r = await call();
    return outcome(ctx, r.exitCode, r.stdout);
  }
  const { value: r, finish } = await asChange(deps, ctx, env, p.cwd, call, `CNI ${cniVerb(env)}`);
  return { ...outcome(ctx, r.exitCode, r.stdout), finish };
}

/** Thrown from the CLI's preAction hook: the command is the client's to run. */
class RunLocally extends Error {}

async function cli(deps: ExecDeps, p: ExecParams, env: Readonly<Record<string, string>>): Promise<ExecOutcome> {
  const { main } = await import("../cli/program.js");
  // a change (beforeAction sets repair) defers work past the reply into afterReply
  const ctx: RequestContext = { ...context(deps, env, false), afterReply: [] };
  let release: (() => void) | undefined;
  let restore: (() => void) | undefined;
  let local = false;
  let nothingToDo = false;
  const beforeAction = async (command: Command): Promise<void> => {
    const path = commandPath(command);
    const kind = cliCommandKind(path, command.opts());
    if (kind === "local" && path === "container cleanup" && alreadyFinished(deps, env, command.args[0])) {
      nothingToDo = true;
      throw new RunLocally("nothing to clean up");
    }
    if (kind === "local") {
      local = true;
      throw new RunLocally("run in the client");
    }
    if (kind === "change") {
      release = await deps.queue.acquire(`berth ${path}`);
      restore = applyCallerEnv(env, p.cwd);
      deps.engines.forgetKernelCaches();
      ctx.repair = true;
    }
  };
  let code: number;
  try {
    code = await inRequest(ctx, () => main(p.argv, { beforeAction }));
  } catch (e) {
    ctx.stderr.push(Buffer.from(`Error: ${messageOf(e)}\n`));
    code = 125;
  } finally {
    restore?.();
  }
  // what the command deferred past the reply (a change's), then its turn ends
  const finish = () => {
    try {
      runAfterReply(ctx);
    } finally {
      release?.();
    }
  };
  if (local || nothingToDo) {
    finish();
    return { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), ...(local ? { runLocally: true as const } : {}) };
  }
  return { ...outcome(ctx, code), finish };
}

/**
 * conmon's exit command (`container cleanup ID`) for a container that `rm`
 * or `stop` has already finished (no record, or exited, or being removed):
 * the cleanup would change nothing (finishContainer and the restart policy
 * act only on a container still recorded as running), so the service
 * answers it instead of sending the client to load the whole CLI and open
 * the store in a process of its own, once per removed container.
 */
function alreadyFinished(deps: ExecDeps, env: Readonly<Record<string, string>>, id: string | undefined): boolean {
  if (id === undefined) return false;
  try {
    const c = deps.engines.forEnv(env).store.containers.byId(id);
    return c === undefined || c.status === "exited" || c.status === "removing";
  } catch {
    return false;
  }
}

/** CNI_COMMAND (ADD, DEL, CHECK, ...) when it is one. */
function cniVerb(env: Readonly<Record<string, string>>): string {
  const c = env["CNI_COMMAND"] ?? "";
  return /^[A-Z]{1,8}$/.test(c) ? c : "call";
}

const NETAVARK_VERBS = new Set(["setup", "teardown", "update", "version", "firewalld-reload", "dhcp-proxy"]);

/** netavark's subcommand (setup, teardown, ...): what a change waiting behind it is told, without paths or options. */
function netavarkVerb(argv: readonly string[]): string {
  return argv.find((a) => NETAVARK_VERBS.has(a)) ?? "call";
}

/** "network ls" for the command `berth network ls`. */
function commandPath(c: Command): string {
  const names: string[] = [];
  for (let at: Command | null = c; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** netavark's --file: a path on this host, read as root (the caller is root: see peer-credentials.ts). */
function readFileText(file: string): string {
  return readFileSync(file, "utf8");
}
