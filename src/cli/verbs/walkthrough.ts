import type { Command } from "commander";
import { Walkthrough } from "../walkthrough/runner.js";
import { runScenario } from "../walkthrough/scenario.js";
import { setExitCode } from "../exit-status.js";

export function registerWalkthrough(program: Command): void {
  program
    .command("walkthrough")
    .description("Walk through the container-networking tutorial on this host, with evidence, then clean up")
    .action(() => {
      const failures = runScenario(new Walkthrough());
      process.stdout.write(failures === 0 ? "\nWalkthrough complete: every check passed.\n" : `\nWalkthrough finished with ${failures} failed check(s).\n`);
      setExitCode(failures === 0 ? 0 : 1);
    });
}
