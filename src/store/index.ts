import { BerthError } from "../errors.js";
import { LOCK_WAIT_MS, openDatabase, type Db } from "./database.js";
import { NetworkRows } from "./network-rows.js";
import { ContainerRows } from "./container-rows.js";
import { AttachmentRows } from "./attachment-rows.js";
import { PortRows } from "./port-rows.js";
import { ChangeLog } from "./change-log.js";

export { NetworkRows, ContainerRows, AttachmentRows, PortRows, ChangeLog };
export type { StoredPort } from "./port-rows.js";
export type { ChangeReader, Changes } from "./change-log.js";

/**
 * Berth's state: the source of truth the kernel is made to match. Writes go
 * through `write()`, which holds SQLite's write lock (BEGIN IMMEDIATE) for
 * the whole callback, so concurrent berth processes serialize their changes
 * and never hand out the same address twice.
 */
export class Store {
  readonly networks: NetworkRows;
  readonly containers: ContainerRows;
  readonly attachments: AttachmentRows;
  readonly ports: PortRows;
  /** What this process's writes touched (see ChangeLog). */
  readonly changes = new ChangeLog();

  constructor(readonly db: Db) {
    this.networks = new NetworkRows(db, this.changes);
    this.containers = new ContainerRows(db, this.changes);
    this.attachments = new AttachmentRows(db, this.changes);
    this.ports = new PortRows(db, this.changes);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  /** Run `fn` in one IMMEDIATE transaction; a throw rolls the store back. */
  write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      if ((e as { code?: unknown }).code === "SQLITE_BUSY") {
        throw new BerthError("STATE", `Another berth process held the state database's write lock for more than ${LOCK_WAIT_MS / 1000} s`, {
          hint: "Look for a stuck berth process (`ps -eo pid,etime,args | grep berth`) and stop it, then retry",
          cause: e,
        });
      }
      throw e;
    }
  }

  /**
   * SQLite's data_version: it changes whenever another connection (another
   * berth process) commits a change. Cheap; `topology --watch` polls it.
   */
  changeCounter(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }
}
