import { hostPort } from "../../model/ip.js";
import type { Engine } from "../context.js";
import { requireContainer } from "../network/network-lookup.js";
import { ANY_HOST_IP, CHAIN } from "../../firewall/index.js";

/** A host address and the interface it is on. */
export interface HostAddress {
  readonly ip: string;
  readonly ifname: string;
}

/** Where one published port can really be reached from, and what other firewalls do to it. */
export interface PortAudit {
  readonly container: string;
  readonly proto: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
  /** From the host itself through 127.0.0.1. */
  readonly loopback: boolean;
  /** Host addresses that answer on the port. */
  readonly hostAddresses: readonly HostAddress[];
  /**
   * What other machines can connect to: host addresses on interfaces other
   * than lo and Berth's bridges; for a port published on 127.0.0.1 without
   * the localhost guard in place, the host's addresses on the links whose
   * neighbours can send raw packets to 127.0.0.1.
   */
  readonly fromOtherMachines: readonly HostAddress[];
  /** Containers on other Berth networks reach it (through a host address, or by raw packets to 127.0.0.1 without the guard). */
  readonly fromOtherNetworks: boolean;
  /** The live table drops 127.0.0.0/8 and ::1 arriving outside lo (chain localhost_guard). */
  readonly localhostGuard: boolean;
  /** One sentence per other firewall chain that matters for this port. */
  readonly firewall: readonly string[];
}

/**
 * `berth port --audit [NAME]`: for each published port, where it can be
 * reached from on this host's real addresses, and what the host's other
 * firewalls do to it. The point users of every engine discover late:
 * published ports are DNATed in prerouting, so an input-chain firewall
 * (ufw, firewalld's default zone, a hand-written `policy drop` input
 * chain) never sees those connections.
 */
export function auditPorts(engine: Engine, name?: string): PortAudit[] {
  const containers = name ? [requireContainer(engine, name)] : engine.store.containers.list().filter((c) => c.status === "running");
  const links = new Map(engine.host.linkList().map((l) => [l.index, l.name]));
  const bridges = new Set(engine.store.networks.list().map((n) => n.bridge));
  const addrs: HostAddress[] = engine.host
    .addrList()
    .map((a) => ({ ip: a.ip, ifname: links.get(a.ifindex) ?? String(a.ifindex) }))
    .filter((a) => !a.ip.startsWith("127."));
  const chains = engine.firewall.foreignBaseChains();
  const localhostGuard = engine.firewall.localhostGuarded();
  const onLinks = addrs.filter((a) => a.ifname !== "lo" && !bridges.has(a.ifname));
  const out: PortAudit[] = [];
  for (const c of containers) {
    const first = engine.store.attachments.forContainer(c.id)[0];
    if (!first) continue;
    for (const p of engine.store.ports.forContainer(c.id)) {
      const any = p.hostIp === ANY_HOST_IP;
      const loopback = any || p.hostIp.startsWith("127.");
      const hostAddresses = any ? addrs : addrs.filter((a) => a.ip === p.hostIp);
      const loopbackOnly = p.hostIp.startsWith("127.");
      const fromOtherMachines = loopbackOnly && !localhostGuard ? onLinks : hostAddresses.filter((a) => a.ifname !== "lo" && !bridges.has(a.ifname));
      const firewall: string[] = [];
      for (const ch of chains) {
        const where = `table ${ch.family} ${ch.table} chain ${ch.name} (hook ${ch.hook}, policy ${ch.policy})`;
        if (ch.hook === "input" && fromOtherMachines.length > 0) {
          firewall.push(
            `${where} does not protect this port: Berth DNATs it in prerouting, so connections are forwarded to the container and never pass an input chain; filter them in a forward chain instead (e.g. \`nft add rule ${ch.family} ${ch.table} FORWARDCHAIN ${p.proto} dport ${p.containerPort} ct status dnat ${p.hostIp.includes(":") ? `ip6 daddr ${first.ip6 ?? ""}` : `ip daddr ${first.ip ?? ""}`} drop\`), or publish on 127.0.0.1 only`,
          );
        }
        if (ch.hook === "forward" && ch.policy === "drop") {
          firewall.push(
            `${where} drops forwarded traffic by default: connections from other machines and other networks to this port are dropped unless that chain accepts them`,
          );
        }
      }
      out.push({
        container: c.name,
        proto: p.proto,
        hostIp: p.hostIp,
        hostPort: p.hostPort,
        containerIp: (p.hostIp.includes(":") ? first.ip6 : first.ip) ?? "",
        containerPort: p.containerPort,
        loopback,
        hostAddresses,
        fromOtherMachines,
        fromOtherNetworks: hostAddresses.length > 0 || (loopbackOnly && !localhostGuard),
        localhostGuard,
        firewall,
      });
    }
  }
  return out;
}

/** The audit as text, one block per published port. */
export function renderPortAudit(audits: readonly PortAudit[]): string {
  if (audits.length === 0) return "No published ports.\n";
  const list = (as: readonly HostAddress[]) => as.map((a) => `${a.ip} (${a.ifname})`).join(", ");
  const blocks = audits.map((a) => {
    const lines = [`${a.proto} ${hostPort(a.hostIp, a.hostPort)} -> ${a.container} ${hostPort(a.containerIp, a.containerPort)}`];
    lines.push(`  this host (127.0.0.1):  ${a.loopback ? "yes" : "no"}`);
    lines.push(
      `  host addresses:         ${a.hostAddresses.length > 0 ? list(a.hostAddresses) : a.hostIp.startsWith("127.") ? "none (loopback only)" : `none: ${a.hostIp} is not an address of this host`}`,
    );
    const loopbackOnly = a.hostIp.startsWith("127.");
    const unguarded = loopbackOnly && !a.localhostGuard;
    const machines =
      a.fromOtherMachines.length === 0
        ? "no"
        : unguarded
          ? `yes, raw packets to ${a.hostIp} from neighbours of ${list(a.fromOtherMachines)}`
          : `yes, anyone who can route to ${list(a.fromOtherMachines)}`;
    lines.push(
      `  other machines:         ${machines}${loopbackOnly && a.localhostGuard ? " (127.0.0.0/8 from outside lo is dropped: chain localhost_guard)" : ""}`,
    );
    lines.push(
      `  other Berth networks:   ${!a.fromOtherNetworks ? "no" : unguarded ? `yes, raw packets to ${a.hostIp} from containers with CAP_NET_RAW` : "yes, through a host address (masqueraded)"}`,
    );
    if (unguarded)
      lines.push(
        `  firewall: chain inet berth ${CHAIN.localhostGuard} is missing or incomplete, so loopback addresses are accepted from outside lo; \`berth system reconcile\` restores it`,
      );
    for (const f of a.firewall) lines.push(`  firewall: ${f}`);
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}
