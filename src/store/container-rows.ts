import type { Db } from "./database.js";
import { findByNameOrId } from "./find-by-name-or-id.js";
import { ChangeLog } from "./change-log.js";
import type { Container, ContainerStatus, DnsSettings, ExtraHost, NetworkRequest } from "../model/container.js";

interface ContainerRow {
  id: string;
  name: string;
  command: string;
  hostname: string;
  mode: string;
  mode_target: string | null;
  netns: string | null;
  rootfs: string | null;
  auto_remove: number;
  detached: number;
  dns: string;
  extra_hosts: string;
  networks: string;
  status: string;
  owner_pid: number | null;
  pid: number | null;
  exit_code: number | null;
  created: string;
  started: string | null;
  finished: string | null;
  managed_by: string | null;
}

function toContainer(r: ContainerRow): Container {
  return {
    id: r.id,
    name: r.name,
    command: JSON.parse(r.command) as string[],
    hostname: r.hostname,
    mode: r.mode as Container["mode"],
    modeTarget: r.mode_target ?? undefined,
    netns: r.netns ?? undefined,
    rootfs: r.rootfs ?? undefined,
    autoRemove: r.auto_remove === 1,
    detached: r.detached === 1,
    dns: JSON.parse(r.dns) as DnsSettings,
    extraHosts: JSON.parse(r.extra_hosts) as ExtraHost[],
    networks: JSON.parse(r.networks) as NetworkRequest[],
    status: r.status as ContainerStatus,
    ownerPid: r.owner_pid ?? undefined,
    pid: r.pid ?? undefined,
    exitCode: r.exit_code ?? undefined,
    created: r.created,
    started: r.started ?? undefined,
    finished: r.finished ?? undefined,
    managedBy: r.managed_by ?? undefined,
  };
}

/** Containers table access. */
export class ContainerRows {
  constructor(
    private readonly db: Db,
    private readonly changes = new ChangeLog(),
  ) {}

  insert(c: Container): void {
    this.changes.container(c.id);
    this.db
      .prepare(
        `INSERT INTO containers (id, name, command, hostname, mode, mode_target, netns, rootfs, auto_remove, detached, dns, extra_hosts, networks, status, owner_pid, pid, exit_code, created, started, finished, managed_by)
         VALUES (@id, @name, @command, @hostname, @mode, @modeTarget, @netns, @rootfs, @autoRemove, @detached, @dns, @extraHosts, @networks, @status, @ownerPid, @pid, @exitCode, @created, @started, @finished, @managedBy)`,
      )
      .run({
        id: c.id,
        name: c.name,
        command: JSON.stringify(c.command),
        hostname: c.hostname,
        mode: c.mode,
        modeTarget: c.modeTarget ?? null,
        netns: c.netns ?? null,
        rootfs: c.rootfs ?? null,
        autoRemove: c.autoRemove ? 1 : 0,
        detached: c.detached ? 1 : 0,
        dns: JSON.stringify(c.dns),
        extraHosts: JSON.stringify(c.extraHosts),
        networks: JSON.stringify(c.networks),
        status: c.status,
        ownerPid: c.ownerPid ?? null,
        pid: c.pid ?? null,
        exitCode: c.exitCode ?? null,
        created: c.created,
        started: c.started ?? null,
        finished: c.finished ?? null,
        managedBy: c.managedBy ?? null,
      });
  }

  list(): Container[] {
    return (this.db.prepare("SELECT * FROM containers ORDER BY created, name").all() as ContainerRow[]).map(toContainer);
  }

  /**
   * Containers whose berth process may have died mid-way: creating,
   * removing, or running in the foreground (the caller checks the owner).
   * A filtered query: it runs at the start of every command.
   */
  unfinished(): Container[] {
    return (
      this.db
        .prepare("SELECT * FROM containers WHERE status IN ('creating', 'removing') OR (status = 'running' AND detached = 0) ORDER BY created, name")
        .all() as ContainerRow[]
    ).map(toContainer);
  }

  byId(id: string): Container | undefined {
    const r = this.db.prepare("SELECT * FROM containers WHERE id = ?").get(id) as ContainerRow | undefined;
    return r && toContainer(r);
  }

  /** Find by exact name, full id, or unique id prefix. */
  find(nameOrId: string): Container | undefined {
    const r = findByNameOrId<ContainerRow>(this.db, "containers", nameOrId);
    return r && toContainer(r);
  }

  /** Containers sharing the namespace of `id` (network mode container:ID). */
  dependents(id: string): Container[] {
    return (this.db.prepare("SELECT * FROM containers WHERE mode_target = ?").all(id) as ContainerRow[]).map(toContainer);
  }

  setStatus(
    id: string,
    status: ContainerStatus,
    fields: { ownerPid?: number | null; pid?: number | null; exitCode?: number | null; started?: string; finished?: string; detached?: boolean } = {},
  ): void {
    const sets = ["status = @status"];
    if ("detached" in fields) sets.push("detached = @detachedInt");
    if ("ownerPid" in fields) sets.push("owner_pid = @ownerPid");
    if ("pid" in fields) sets.push("pid = @pid");
    if ("exitCode" in fields) sets.push("exit_code = @exitCode");
    if ("started" in fields) sets.push("started = @started");
    if ("finished" in fields) sets.push("finished = @finished");
    const { detached, ...rest } = fields;
    this.db
      .prepare(`UPDATE containers SET ${sets.join(", ")} WHERE id = @id`)
      .run({ id, status, ...rest, ...(detached === undefined ? {} : { detachedInt: detached ? 1 : 0 }) });
  }

  setNetworks(id: string, networks: readonly NetworkRequest[]): void {
    this.db.prepare("UPDATE containers SET networks = ? WHERE id = ?").run(JSON.stringify(networks), id);
  }

  delete(id: string): void {
    this.changes.container(id);
    this.db.prepare("DELETE FROM containers WHERE id = ?").run(id);
  }
}
