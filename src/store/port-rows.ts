import type Database from "better-sqlite3";
import type { Db } from "./database.js";
import { ChangeLog } from "./change-log.js";
import { ANY_IPV4, ANY_IPV6, type PortMapping, type Proto } from "../model/port-spec.js";

interface PortRow {
  container_id: string;
  proto: string;
  host_ip: string;
  host_port: number;
  container_port: number;
}

export interface StoredPort extends PortMapping {
  readonly containerId: string;
}

function toPort(r: PortRow): StoredPort {
  return { containerId: r.container_id, proto: r.proto as Proto, hostIp: r.host_ip, hostPort: r.host_port, containerPort: r.container_port };
}

/** Published ports. The primary key (proto, host address, host port) makes a double publication impossible. */
export class PortRows {
  /** Prepared once: a request may insert thousands of rows. */
  #insertStatement: Database.Statement<[string, string, string, number, number]> | undefined;

  constructor(
    private readonly db: Db,
    private readonly changes = new ChangeLog(),
  ) {}

  insert(containerId: string, m: PortMapping): void {
    this.#insertStatement ??= this.db.prepare("INSERT INTO ports (container_id, proto, host_ip, host_port, container_port) VALUES (?, ?, ?, ?, ?)");
    this.#insertStatement.run(containerId, m.proto, m.hostIp, m.hostPort, m.containerPort);
    this.changes.container(containerId);
  }

  forContainer(containerId: string): StoredPort[] {
    return (this.db.prepare("SELECT * FROM ports WHERE container_id = ? ORDER BY container_port, proto").all(containerId) as PortRow[]).map(toPort);
  }

  all(): StoredPort[] {
    return (this.db.prepare("SELECT * FROM ports ORDER BY container_id, container_port").all() as PortRow[]).map(toPort);
  }

  deleteOne(m: Pick<PortMapping, "proto" | "hostIp" | "hostPort">): void {
    const gone = this.db
      .prepare("DELETE FROM ports WHERE proto = ? AND host_ip = ? AND host_port = ? RETURNING container_id")
      .all(m.proto, m.hostIp, m.hostPort) as Pick<PortRow, "container_id">[];
    for (const r of gone) this.changes.container(r.container_id);
  }

  deleteForContainer(containerId: string): void {
    this.db.prepare("DELETE FROM ports WHERE container_id = ?").run(containerId);
    this.changes.container(containerId);
  }

  /** Who publishes (proto, port) on `hostIp`, counting 0.0.0.0 as every IPv4 address and :: as every IPv6 one. */
  holder(proto: Proto, hostIp: string, hostPort: number): StoredPort | undefined {
    const v6 = hostIp.includes(":");
    const any = v6 ? ANY_IPV6 : ANY_IPV4;
    const rows = this.db.prepare("SELECT * FROM ports WHERE proto = ? AND host_port = ?").all(proto, hostPort) as PortRow[];
    const r = rows.find((x) => x.host_ip.includes(":") === v6 && (x.host_ip === hostIp || x.host_ip === any || hostIp === any));
    return r && toPort(r);
  }
}
