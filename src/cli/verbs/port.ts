import { hostPort } from "../../model/ip.js";
import type { Command } from "commander";
import { auditPorts, containerPorts, renderPortAudit, runningContainerPorts } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { shortId } from "../../model/container.js";
import { printJson } from "../output.js";

/** `berth port`: the seed's view of published ports. */
export function registerPort(program: Command): void {
  program
    .command("port")
    .description("List published ports: `berth port --all`, `berth port NAME [CPORT[/proto]]`, `berth port --audit [NAME]`")
    .argument("[container]")
    .argument("[port]", "container port, e.g. 8080 or 53/udp")
    .option("-a, --all", "every running container")
    .option("--audit", "where each published port can really be reached from, and what the host's other firewalls do to it")
    .option("--format <format>", "json (with --audit)")
    .action(async (name: string | undefined, port: string | undefined, f: { all?: boolean; audit?: boolean; format?: string }) => {
      await withEngine((e) => {
        if (f.audit) {
          if (f.format !== undefined && f.format !== "json") {
            throw new BerthError("INVALID_ARGUMENT", `Unknown --format "${f.format}" for berth port --audit`, {
              hint: "Use --format json, or leave it out for text",
            });
          }
          const audits = auditPorts(e, name);
          if (f.format === "json") printJson(audits);
          else process.stdout.write(renderPortAudit(audits));
          return;
        }
        if (f.all) {
          for (const { container: c, ports } of runningContainerPorts(e)) {
            for (const p of ports) process.stdout.write(`${shortId(c.id)}    ${p.containerPort}/${p.proto} -> ${hostPort(p.hostIp, p.hostPort)}\n`);
          }
          return;
        }
        if (!name)
          throw new BerthError("INVALID_ARGUMENT", "berth port needs a container name, or --all", { hint: "Example: berth port web, or berth port --all" });
        const { ports } = containerPorts(e, name, port);
        if (port === undefined) for (const p of ports) process.stdout.write(`${p.containerPort}/${p.proto} -> ${hostPort(p.hostIp, p.hostPort)}\n`);
        else for (const p of ports) process.stdout.write(`${hostPort(p.hostIp, p.hostPort)}\n`);
      });
    });
}
