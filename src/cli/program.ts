import { Command, CommanderError } from "commander";
import { isBerthError, messageOf, type BerthError } from "../errors.js";
import { registerNetwork } from "./verbs/network.js";
import { registerRun } from "./verbs/run.js";
import { registerContainers } from "./verbs/containers.js";
import { registerLifecycle } from "./verbs/lifecycle.js";
import { registerSystem } from "./verbs/system.js";
import { registerWalkthrough } from "./verbs/walkthrough.js";
import { registerPort } from "./verbs/port.js";
import { registerDoctor } from "./verbs/doctor.js";
import { registerTrace } from "./verbs/trace.js";
import { registerTopology } from "./verbs/topology.js";
import { registerCni } from "./verbs/cni.js";
import { registerDockerPlugin } from "./verbs/docker-plugin.js";
import { dropOutputOnClosedPipe } from "./closed-pipe.js";
import { withCommandStatus } from "./exit-status.js";
import { escapeControl } from "./escape-control.js";

/** Berth's own failures exit 125, as Podman's do; a container's exit code passes through. */
const EXIT_BERTH_ERROR = 125;
/** As Podman (and a shell): the command could not be invoked, or was not found. */
const EXIT_CANNOT_INVOKE = 126;
const EXIT_NOT_FOUND = 127;

/** The exit code of a BerthError: 126/127 for a container command that cannot run, else 125. */
export function exitCodeOf(e: BerthError): number {
  if (e.code === "COMMAND_NOT_FOUND") return EXIT_NOT_FOUND;
  if (e.code === "COMMAND_NOT_INVOKABLE") return EXIT_CANNOT_INVOKE;
  return EXIT_BERTH_ERROR;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("berth")
    .description("Container networking for Linux: namespaces, veth pairs, bridges, nftables NAT and DNS")
    .version("0.1.0")
    .enablePositionalOptions()
    .showSuggestionAfterError()
    // commander's own errors echo the argument they reject
    .configureOutput({ outputError: (text, write) => write(escapeControl(text, { newline: true })) })
    .exitOverride();
  registerRun(program);
  registerContainers(program);
  registerLifecycle(program);
  registerNetwork(program);
  registerPort(program);
  registerTopology(program);
  registerSystem(program);
  registerDoctor(program);
  registerTrace(program);
  registerWalkthrough(program);
  registerCni(program);
  registerDockerPlugin(program);

  return program;
}

export interface MainOptions {
  /**
   * Called with the parsed command before its action runs (the Berth
   * service takes its turn for changes here, or refuses a command that
   * needs the caller's terminal).
   */
  readonly beforeAction?: (command: Command) => Promise<void> | void;
}

/**
 * The one exit point: print errors as "Error: ..." and "Hint: ...", pick the
 * exit code. Messages echo names, paths and values from the input, so their
 * control characters are printed escaped (escape-control.ts); a hint keeps
 * its own line breaks.
 */
export async function main(argv: readonly string[], opts: MainOptions = {}): Promise<number> {
  // the service's own streams are not the caller's pipe (its output is captured per request)
  if (opts.beforeAction === undefined) dropOutputOnClosedPipe();
  const program = buildProgram();
  const before = opts.beforeAction;
  if (before !== undefined) program.hook("preAction", (_program, action) => before(action));
  try {
    const { exitCode } = await withCommandStatus(() => program.parseAsync([...argv], { from: "user" }));
    return exitCode ?? (typeof process.exitCode === "number" ? process.exitCode : 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return EXIT_BERTH_ERROR;
    }
    if (isBerthError(e)) {
      process.stderr.write(`Error: ${escapeControl(e.message)}\n`);
      if (e.hint) process.stderr.write(`Hint: ${escapeControl(e.hint, { newline: true })}\n`);
      for (const r of e.rollbackErrors) process.stderr.write(`  (while undoing: ${escapeControl(messageOf(r))})\n`);
      if (process.env["BERTH_DEBUG"]) process.stderr.write(`${e.stack ?? ""}\n`);
      return exitCodeOf(e);
    }
    process.stderr.write(`Error: ${escapeControl(messageOf(e))}\n`);
    if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_BERTH_ERROR;
  }
}
