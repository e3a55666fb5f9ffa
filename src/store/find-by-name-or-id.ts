import type { Db } from "./database.js";

/**
 * Look a row up as Podman does: exact name, full id, or an id prefix of 3+
 * hex digits that matches exactly one row. `table` is one of ours, never
 * user input.
 */
export function findByNameOrId<R>(db: Db, table: "containers" | "networks", nameOrId: string): R | undefined {
  const exact = db.prepare(`SELECT * FROM ${table} WHERE name = ? OR id = ? LIMIT 1`).get(nameOrId, nameOrId) as R | undefined;
  if (exact || !/^[0-9a-f]{3,63}$/.test(nameOrId)) return exact;
  const rows = db.prepare(`SELECT * FROM ${table} WHERE id LIKE ? || '%' LIMIT 2`).all(nameOrId) as R[];
  return rows.length === 1 ? rows[0] : undefined;
}
