import type { Db } from "./database.js";

/**
 * Look a row up as Podman does: exact name, full id, or an id prefix of 3+
 * hex digits that matches exactly one row. `table` is one of ours, never
 * user input.
 */
export function findByNameOrId<R>(db: Db, table: "containers" | "networks", nameOrId: string): R | undefined {
  const exact = db.prepare(`SELECT * FROM ${table} WHERE name = ? OR id = ? LIMIT 1`).get(nameOrId, nameOrId) as R | undefined;
  if (exact || !/^[0-9a-f]{3,63}$/.test(nameOrId)) return exact;
  // the ids from the prefix up to the prefix with its last digit raised: a range of the primary key, not a scan
  const upTo = nameOrId.slice(0, -1) + String.fromCharCode(nameOrId.charCodeAt(nameOrId.length - 1) + 1);
  const rows = db.prepare(`SELECT * FROM ${table} WHERE id >= ? AND id < ? LIMIT 2`).all(nameOrId, upTo) as R[];
  return rows.length === 1 ? rows[0] : undefined;
}
