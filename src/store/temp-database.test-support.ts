import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Db } from "./database.js";

/** A new state database (migrated, as Berth opens it) in a temp dir, closed and removed after `fn`. */
export function withTempDatabase(fn: (db: Db) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "berth-db-"));
  try {
    const db = openDatabase(join(dir, "berth.db"));
    try {
      fn(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
