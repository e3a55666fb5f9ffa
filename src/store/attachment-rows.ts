import type { Db } from "./database.js";
import type { Attachment } from "../model/container.js";
import { ChangeLog } from "./change-log.js";

interface AttachmentRow {
  container_id: string;
  network_id: string;
  ifname: string;
  host_veth: string;
  ip: string | null;
  ip6: string | null;
  mac: string;
  aliases: string;
  static_ip: number;
  static_ip6: number;
}

function toAttachment(r: AttachmentRow): Attachment {
  return {
    containerId: r.container_id,
    networkId: r.network_id,
    ifname: r.ifname,
    hostVeth: r.host_veth,
    ip: r.ip ?? undefined,
    ip6: r.ip6 ?? undefined,
    mac: r.mac,
    aliases: JSON.parse(r.aliases) as string[],
    staticIp: r.static_ip === 1,
    staticIp6: r.static_ip6 === 1,
  };
}

/** An attachment with what the DNS zone needs of its container. */
export interface NamedAttachment {
  readonly containerId: string;
  readonly name: string;
  readonly aliases: string[];
  readonly ip: string | undefined;
  readonly ip6: string | undefined;
  /** The container's `--dns` servers. */
  readonly dnsServers: string[];
}

/** The columns the named* queries select, joined from attachments and containers. */
interface NamedRow {
  readonly container_id: string;
  readonly name: string;
  readonly aliases: string;
  readonly ip: string | null;
  readonly ip6: string | null;
  readonly dns: string;
}

function toNamed(r: NamedRow): NamedAttachment {
  return {
    containerId: r.container_id,
    name: r.name,
    aliases: JSON.parse(r.aliases) as string[],
    ip: r.ip ?? undefined,
    ip6: r.ip6 ?? undefined,
    dnsServers: (JSON.parse(r.dns) as { servers: string[] }).servers,
  };
}

/** Attachments: a container's interface on a network, with its address lease. */
export class AttachmentRows {
  constructor(
    private readonly db: Db,
    private readonly changes = new ChangeLog(),
  ) {}

  insert(a: Attachment): void {
    this.changes.container(a.containerId);
    this.db
      .prepare(
        `INSERT INTO attachments (container_id, network_id, ifname, host_veth, ip, ip6, mac, aliases, static_ip, static_ip6)
         VALUES (@containerId, @networkId, @ifname, @hostVeth, @ip, @ip6, @mac, @aliases, @staticIp, @staticIp6)`,
      )
      .run({ ...a, ip: a.ip ?? null, ip6: a.ip6 ?? null, aliases: JSON.stringify(a.aliases), staticIp: a.staticIp ? 1 : 0, staticIp6: a.staticIp6 ? 1 : 0 });
  }

  forContainer(containerId: string): Attachment[] {
    return (this.db.prepare("SELECT * FROM attachments WHERE container_id = ? ORDER BY ifname").all(containerId) as AttachmentRow[]).map(toAttachment);
  }

  forNetwork(networkId: string): Attachment[] {
    return (this.db.prepare("SELECT * FROM attachments WHERE network_id = ? ORDER BY ip").all(networkId) as AttachmentRow[]).map(toAttachment);
  }

  /**
   * The network's attachments with their containers' names and --dns
   * servers, in one query (the zone is rebuilt on every verb: one query per
   * container made that cost grow with the number of containers).
   */
  namedForNetwork(networkId: string): NamedAttachment[] {
    const rows = this.db
      .prepare(
        "SELECT a.container_id, c.name, a.aliases, a.ip, a.ip6, c.dns FROM attachments a JOIN containers c ON c.id = a.container_id WHERE a.network_id = ? ORDER BY a.ip, a.ip6",
      )
      .all(networkId) as NamedRow[];
    return rows.map(toNamed);
  }

  /** Container `containerId`'s attachments with what the DNS zone needs, with their networks (a change's own rows, not the network's). */
  namedForContainer(containerId: string): (NamedAttachment & { readonly networkId: string })[] {
    const rows = this.db
      .prepare(
        "SELECT a.network_id, a.container_id, c.name, a.aliases, a.ip, a.ip6, c.dns FROM attachments a JOIN containers c ON c.id = a.container_id WHERE a.container_id = ?",
      )
      .all(containerId) as (NamedRow & { network_id: string })[];
    return rows.map((r) => ({ networkId: r.network_id, ...toNamed(r) }));
  }

  all(): Attachment[] {
    return (this.db.prepare("SELECT * FROM attachments").all() as AttachmentRow[]).map(toAttachment);
  }

  countForNetwork(networkId: string): number {
    const r = this.db.prepare("SELECT COUNT(*) AS n FROM attachments WHERE network_id = ?").get(networkId) as { n: number };
    return r.n;
  }

  /** Who holds `ip` on the network, if anyone (an indexed lookup). */
  holderOf(networkId: string, ip: string): string | undefined {
    const r = this.db.prepare("SELECT container_id FROM attachments WHERE network_id = ? AND ip = ?").get(networkId, ip) as
      { container_id: string } | undefined;
    return r?.container_id;
  }

  /** Who holds the IPv6 address `ip6` (canonical text) on the network, if anyone. */
  holderOf6(networkId: string, ip6: string): string | undefined {
    const r = this.db.prepare("SELECT container_id FROM attachments WHERE network_id = ? AND ip6 = ?").get(networkId, ip6) as
      { container_id: string } | undefined;
    return r?.container_id;
  }

  /** The interface's name inside the container changed (an owner that renames what Berth handed over: Docker). */
  setIfname(containerId: string, networkId: string, ifname: string): void {
    this.db.prepare("UPDATE attachments SET ifname = ? WHERE container_id = ? AND network_id = ?").run(ifname, containerId, networkId);
  }

  delete(containerId: string, networkId: string): void {
    this.changes.container(containerId);
    this.db.prepare("DELETE FROM attachments WHERE container_id = ? AND network_id = ?").run(containerId, networkId);
  }
}
