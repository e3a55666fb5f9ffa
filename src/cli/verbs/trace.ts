import type { Command } from "commander";
import { renderTrace, trace } from "../../engine/trace/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { printJson } from "../output.js";

/** `berth trace HOSTIP:PORT[/proto]` or `berth trace FROM TO[:PORT[/proto]]`; exit 1 when the path breaks. */
export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description("Explain a connection hop by hop on this host (nft map element, bridge, veth, container, listener) and where it breaks")
    .argument("<target>", "HOSTIP:PORT[/tcp|/udp] for a published port, or the source container when a second argument follows")
    .argument("[destination]", "NAME[:PORT[/tcp|/udp]]: trace from <target> (a container) to this container")
    .option("--format <format>", "json")
    .action(async (first: string, second: string | undefined, f: { format?: string }) => {
      if (f.format !== undefined && f.format !== "json") {
        throw new BerthError("INVALID_ARGUMENT", `Unknown --format "${f.format}" for berth trace`, { hint: "Use --format json, or leave it out for text" });
      }
      const r = await withEngine((e) => trace(e, first, second));
      if (f.format === "json") printJson(r);
      else process.stdout.write(renderTrace(r));
      process.exitCode = r.reachable ? 0 : 1;
    });
}
