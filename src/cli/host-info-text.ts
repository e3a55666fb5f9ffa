import type { HostInfo } from "../engine/index.js";
import { table } from "./output.js";

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

function firewallText(f: HostInfo["firewall"], networks: number): string {
  if (f.error !== undefined) return `  cannot read table ${f.table}: ${f.error}`;
  if (!f.present && networks === 0) return `  table ${f.table} not created yet (Berth makes it with the first network)`;
  if (!f.present) return `  table ${f.table} is missing (run \`berth system reconcile\`)`;
  const chains = (f.chains ?? []).map(
    (c) => `${c.name}${c.hook ? ` (hook ${c.hook}${c.policy ? `, policy ${c.policy}` : ""})` : ""}: ${c.rules} rule${c.rules === 1 ? "" : "s"}`,
  );
  const counted = (xs: readonly { name: string; elements: number }[] | undefined) => (xs ?? []).map((s) => `${s.name} ${s.elements}`).join(", ") || "none";
  return [
    `  table ${f.table}`,
    `  chains: ${chains.join("; ") || "none"}`,
    `  sets (elements): ${counted(f.sets)}`,
    `  maps (elements): ${counted(f.maps)}`,
  ].join("\n");
}

/** `berth system info` as text: one section per part of the host. */
export function hostInfoText(h: HostInfo): string {
  const sections: string[] = [];
  sections.push(
    `Interfaces:\n${indent(
      table(
        ["NAME", "KIND", "STATE", "MTU", "MAC", "MASTER", "ADDRESSES"],
        h.interfaces.map((i) => [i.name, i.kind ?? "-", i.state, String(i.mtu), i.mac || "-", i.master ?? "-", i.addresses.join(" ") || "-"]),
      ),
    )}`,
  );
  sections.push(
    `Routes (main table):\n${indent(
      table(
        ["DESTINATION", "VIA", "DEV"],
        h.routes.map((r) => [r.dst, r.via ?? "-", r.dev ?? "-"]),
      ),
    )}`,
  );
  sections.push(`Firewall:\n${firewallText(h.firewall, h.berth.networks.length)}`);
  const d = h.dns;
  sections.push(
    [
      "DNS:",
      `  host nameservers (${d.resolvConf}): ${d.hostNameservers.join(" ") || "none"}`,
      `  resolver: ${d.resolverPid === undefined ? "not running" : `pid ${d.resolverPid}`}`,
      `  listening on: ${d.listening.join(", ") || "nothing"}`,
    ].join("\n"),
  );
  sections.push(
    `Sysctls:\n${Object.entries(h.sysctls)
      .map(([k, v]) => `  ${k} = ${v ?? "(absent)"}`)
      .join("\n")}`,
  );
  const b = h.berth;
  sections.push(
    `Berth: ${b.networks.length} network${b.networks.length === 1 ? "" : "s"}, ${b.containers} container${b.containers === 1 ? "" : "s"} (${b.running} running)\n` +
      (b.networks.length === 0
        ? ""
        : indent(
            table(
              ["NETWORK", "BRIDGE", "SUBNET", "GATEWAY", "DNS", "CONTAINERS"],
              b.networks.map((n) => [
                n.name,
                n.bridge,
                [n.subnet, n.subnet6].filter(Boolean).join(" "),
                [n.gateway, n.gateway6].filter(Boolean).join(" "),
                n.dns ? "on" : "off",
                String(n.containers),
              ]),
            ),
          )),
  );
  return sections.map((s) => s.trimEnd()).join("\n\n") + "\n";
}
