// The model of the model-based test: what networks and containers should
// exist after a sequence of berth commands, and what each command should
// do to them (succeed, or fail with which error).

/** The fixed network pool: a name always means the same subnet and kind. */
export interface NetSpec {
  readonly name: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly dns: boolean;
  readonly internal: boolean;
}

export const NETS: readonly NetSpec[] = [
  { name: "m0", subnet: "10.120.0.0/24", gateway: "10.120.0.1", dns: true, internal: false },
  { name: "m1", subnet: "10.120.1.0/24", gateway: "10.120.1.1", dns: true, internal: false },
  { name: "m2", subnet: "10.120.2.0/24", gateway: "10.120.2.1", dns: false, internal: false },
  { name: "m3", subnet: "10.120.3.0/24", gateway: "10.120.3.1", dns: true, internal: true },
];

export const CONTAINERS = ["c0", "c1", "c2", "c3", "c4"] as const;
export const ALIASES = ["a0", "a1"] as const;
/** Host ports come from a small pool so that runs collide. */
export const HOST_PORTS = [9100, 9101, 9102] as const;
/** Static addresses (last octet) come from a small pool so that they collide with each other and with dynamic ones. */
export const STATIC_OCTETS = [2, 3, 10] as const;

export function netSpec(name: string): NetSpec {
  const n = NETS.find((x) => x.name === name);
  if (!n) throw new Error(`no network ${name} in the pool`);
  return n;
}

export function staticIp(net: string, octet: number): string {
  return netSpec(net).subnet.replace(/\.0\/24$/, `.${octet}`);
}

export interface PortModel {
  readonly proto: "tcp" | "udp";
  readonly hostIp: "0.0.0.0" | "127.0.0.1";
  readonly hostPort: number;
  readonly containerPort: number;
}

export function portSpec(p: PortModel): string {
  return `${p.hostIp === "0.0.0.0" ? "" : `${p.hostIp}:`}${p.hostPort}:${p.containerPort}/${p.proto}`;
}

export function portsClash(a: PortModel, b: PortModel): boolean {
  return a.proto === b.proto && a.hostPort === b.hostPort && (a.hostIp === b.hostIp || a.hostIp === "0.0.0.0" || b.hostIp === "0.0.0.0");
}

export interface AttachModel {
  readonly net: string;
  /** The address: the requested one, or what the store leased (learnt after the command). */
  ip: string | undefined;
  readonly staticIp: boolean;
  readonly aliases: readonly string[];
}

export interface ContainerModel {
  readonly name: string;
  /** In the order they were attached (= eth0, eth1, ... until a disconnect leaves a gap). */
  readonly attachments: AttachModel[];
  readonly ports: readonly PortModel[];
}

export class BerthModel {
  readonly networks = new Set<string>();
  readonly containers = new Map<string, ContainerModel>();

  /** Who holds `ip` on `net`. */
  ipHolder(net: string, ip: string): string | undefined {
    for (const c of this.containers.values()) if (c.attachments.some((a) => a.net === net && a.ip === ip)) return c.name;
    return undefined;
  }

  portHolder(p: PortModel): string | undefined {
    for (const c of this.containers.values()) if (c.ports.some((q) => portsClash(p, q))) return c.name;
    return undefined;
  }

  /** Containers on (or asking for) a network. */
  usersOf(net: string): ContainerModel[] {
    return [...this.containers.values()].filter((c) => c.attachments.some((a) => a.net === net));
  }

  describe(): string {
    const nets = [...this.networks].sort().join(",");
    const ctrs = [...this.containers.values()].map(
      (c) =>
        `${c.name}[${c.attachments.map((a) => `${a.net}=${a.ip ?? "?"}${a.aliases.length > 0 ? `+${a.aliases.join("+")}` : ""}`).join(" ")}${c.ports.length > 0 ? ` -p ${c.ports.map(portSpec).join(" -p ")}` : ""}]`,
    );
    return `networks {${nets}} containers {${ctrs.join(" ")}}`;
  }
}
