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
import { dropOutputOnClosedPipe } from "./closed-pipe.js";

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

  return program;
}

/** The one exit point: print errors as "Error: ..." and "Hint: ...", pick the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  dropOutputOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return EXIT_BERTH_ERROR;
    }
    if (isBerthError(e)) {
      process.stderr.write(`Error: ${e.message}\n`);
      if (e.hint) process.stderr.write(`Hint: ${e.hint}\n`);
      for (const r of e.rollbackErrors) process.stderr.write(`  (while undoing: ${messageOf(r)})\n`);
      if (process.env["BERTH_DEBUG"]) process.stderr.write(`${e.stack ?? ""}\n`);
      return exitCodeOf(e);
    }
    process.stderr.write(`Error: ${messageOf(e)}\n`);
    if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_BERTH_ERROR;
  }
}
