import { hostPort } from "../../model/ip.js";
import type { Command } from "commander";
import { requireContainer } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { shortId } from "../../model/container.js";
import { auditPorts, renderPortAudit } from "../../engine/port-audit.js";
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
          for (const c of e.store.containers.list().filter((x) => x.status === "running")) {
            for (const p of e.store.ports.forContainer(c.id))
              process.stdout.write(`${shortId(c.id)}    ${p.containerPort}/${p.proto} -> ${hostPort(p.hostIp, p.hostPort)}\n`);
          }
          return;
        }
        if (!name)
          throw new BerthError("INVALID_ARGUMENT", "berth port needs a container name, or --all", { hint: "Example: berth port web, or berth port --all" });
        const c = requireContainer(e, name);
        const ports = e.store.ports.forContainer(c.id);
        if (port === undefined) {
          for (const p of ports) process.stdout.write(`${p.containerPort}/${p.proto} -> ${hostPort(p.hostIp, p.hostPort)}\n`);
          return;
        }
        const [num = "", proto = "tcp"] = port.split("/");
        const hits = ports.filter((p) => String(p.containerPort) === num && p.proto === proto);
        if (hits.length === 0) {
          throw new BerthError("INVALID_ARGUMENT", `Container "${c.name}" does not publish port ${num}/${proto}`, {
            hint: `See its ports with \`berth port ${c.name}\``,
          });
        }
        for (const p of hits) process.stdout.write(`${hostPort(p.hostIp, p.hostPort)}\n`);
      });
    });
}
