import type { Command } from "commander";
import { runDoctor, renderFindings } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { printJson } from "../output.js";
import { setExitCode } from "../exit-status.js";

/** `berth doctor [NAME] [--format json]`: findings, then exit 1 when any is an error or warning. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("Diagnose the host's container networking (or one container's): each problem with its evidence and a fix")
    .argument("[container]", "also check this container: is it running, does something listen on its published ports")
    .option("--format <format>", "json")
    .action(async (name: string | undefined, f: { format?: string }) => {
      if (f.format !== undefined && f.format !== "json") {
        throw new BerthError("INVALID_ARGUMENT", `Unknown --format "${f.format}" for berth doctor`, { hint: "Use --format json, or leave it out for text" });
      }
      // no repair first: interrupted containers are among the things doctor reports
      const report = await withEngine((e) => runDoctor(e, name), { repair: false });
      if (f.format === "json") printJson({ findings: report.findings, ok: report.ok });
      else process.stdout.write(renderFindings(report.findings));
      setExitCode(report.ok ? 0 : 1);
    });
}
