import type { Command } from "commander";
import { constants } from "node:os";
import { PROBE_TIMEOUT_MS, probeTarget, probeTrace, renderProbe, renderTrace, trace } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { printJson } from "../output.js";
import { setExitCode } from "../exit-status.js";

function parseTimeout(text: string): number {
  if (!/^[0-9]{1,6}$/.test(text)) {
    throw new BerthError("INVALID_ARGUMENT", `--timeout "${text}" is not a number of milliseconds`, { hint: "e.g. --timeout 2000 (100-60000)" });
  }
  return Number(text);
}

/**
 * `berth trace HOSTIP:PORT[/proto]` or `berth trace FROM TO[:PORT[/proto]]`;
 * with --probe, one real packet follows the configuration check. Exit 1
 * when the path breaks (or the probe does not get through).
 */
export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description("Explain a connection hop by hop on this host (nft map element, bridge, veth, container, listener) and where it breaks")
    .argument("<target>", "HOSTIP:PORT[/tcp|/udp] for a published port, or the source container when a second argument follows")
    .argument("[destination]", "NAME[:PORT[/tcp|/udp]]: trace from <target> (a container) to this container")
    .option("--format <format>", "json")
    .option("--probe", "also send one real, marked packet and follow it through every nftables hook and table on the host (nft tracing)")
    .option("--timeout <ms>", `how long --probe waits for its packet and an answer (default ${PROBE_TIMEOUT_MS})`)
    .action(async (first: string, second: string | undefined, f: { format?: string; probe?: boolean; timeout?: string }) => {
      if (f.format !== undefined && f.format !== "json") {
        throw new BerthError("INVALID_ARGUMENT", `Unknown --format "${f.format}" for berth trace`, { hint: "Use --format json, or leave it out for text" });
      }
      if (f.timeout !== undefined && !f.probe)
        throw new BerthError("INVALID_ARGUMENT", "--timeout is for --probe", { hint: "add --probe, or leave --timeout out" });
      const timeout = f.timeout === undefined ? PROBE_TIMEOUT_MS : parseTimeout(f.timeout);
      const { r, p } = await withEngine(async (e) => {
        const target = f.probe ? probeTarget(e, first, second) : undefined;
        const r = trace(e, first, second);
        return { r, p: target ? await probeTrace(e, target, timeout) : undefined };
      });
      if (f.format === "json") printJson(p ? { ...r, probe: p } : r);
      else process.stdout.write(renderTrace(r) + (p ? `\n${renderProbe(p)}` : ""));
      // interrupted: the shell's code for death by that signal (128 + its number), after the cleanup
      const signal = p?.interrupted === undefined ? undefined : constants.signals[p.interrupted as NodeJS.Signals];
      setExitCode(signal !== undefined ? 128 + signal : r.reachable && (p?.reachable ?? true) ? 0 : 1);
    });
}
