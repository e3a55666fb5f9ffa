import type { Command } from "commander";
import { cleanupContainer, listNamespaces, reconcile, resetSystem } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { printJson, table } from "../output.js";
import { berthPaths } from "../../paths.js";
import { printHostInfo } from "./system-info.js";
import { setExitCode } from "../exit-status.js";

export function registerSystem(program: Command): void {
  const system = program.command("system").description("Manage Berth itself");

  system
    .command("reset")
    .description("Remove everything Berth made: containers, interfaces, namespaces, firewall rules, state")
    .option("-f, --force", "do not ask for confirmation")
    .action(async (f: { force?: boolean }) => {
      if (!f.force) {
        throw new BerthError("INVALID_ARGUMENT", "system reset removes every container, network and rule Berth made", {
          hint: "Run `berth system reset -f` to confirm",
        });
      }
      const problems = await withEngine((e) => resetSystem(e), { repair: false });
      for (const p of problems) process.stderr.write(`Warning: ${p}\n`);
      setExitCode(problems.length > 0 ? 1 : 0);
    });

  system
    .command("reconcile")
    .description("Repair drift between Berth's state and the kernel (after a crash or a firewall reload)")
    .action(async () => {
      const r = await withEngine((e) => reconcile(e), { repair: false });
      for (const a of r.actions) process.stdout.write(`${a}\n`);
      for (const p of r.problems) process.stderr.write(`Problem: ${p}\n`);
      if (r.actions.length === 0 && r.problems.length === 0) process.stdout.write("nothing to repair\n");
      setExitCode(r.problems.length > 0 ? 1 : 0);
    });

  system
    .command("info")
    .description("The host as Berth sees it: interfaces, routes, the nft table, DNS, sysctls, networks (also `berth inspect host`)")
    .option("--format <format>", "json, or a Go template")
    .action(async (f: { format?: string }) => {
      await withEngine((e) => printHostInfo(e, f.format), { repair: false });
    });

  const ns = program.command("ns").description("Network namespaces");
  ns.command("ls")
    .alias("list")
    .description("List network namespaces and what uses them (like `lsns -t net`)")
    .option("--format <format>", "json")
    .action(async (f: { format?: string }) => {
      await withEngine(
        (e) => {
          const list = listNamespaces(e);
          if (f.format === "json") printJson(list);
          else
            process.stdout.write(
              table(
                ["NS", "NPROCS", "PID", "PATH", "USED BY"],
                list.map((n) => [String(n.inode), String(n.nprocs), n.pid === undefined ? "-" : String(n.pid), n.path ?? "-", n.usedBy]),
              ),
            );
        },
        { repair: false },
      );
    });

  // Hidden verbs run by processes Berth starts itself.
  const container = program.command("container", { hidden: true }).description("Internal container verbs");
  container
    .command("cleanup")
    .argument("<id>")
    .action(async (id: string) => {
      await withEngine((e) => cleanupContainer(e, id), { repair: false });
    });
  const dns = program.command("dns", { hidden: true }).description("Internal DNS verbs");
  dns.command("serve").action(async () => {
    const { runResolverDaemon } = await import("../../dns/daemon.js");
    await runResolverDaemon({ paths: berthPaths() });
  });
}
