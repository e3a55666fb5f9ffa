import { test } from "node:test";
import assert from "node:assert/strict";
import type { Db } from "./database.js";
import { withTempDatabase } from "./temp-database.test-support.js";
import { findByNameOrId } from "./find-by-name-or-id.js";

function withContainers(ids: readonly [string, string][], fn: (db: Db) => void): void {
  withTempDatabase((db) => {
    const insert = db.prepare(
      `INSERT INTO containers (id, name, command, hostname, mode, auto_remove, detached, dns, extra_hosts, networks, status, created)
       VALUES (?, ?, '[]', 'h', 'bridge', 0, 1, '{}', '[]', '[]', 'running', '2026-01-01')`,
    );
    for (const [id, name] of ids) insert.run(id, name);
    fn(db);
  });
}

const idOf = (db: Db, q: string) => findByNameOrId<{ id: string }>(db, "containers", q)?.id;

test("findByNameOrId() finds a name, a full id, or an id prefix that matches one row, as Podman does", () => {
  withContainers(
    [
      ["abc9f0", "web"],
      ["abca00", "db"],
      ["abcf12", "cache"],
      ["abd000", "other"],
    ],
    (db) => {
      assert.equal(idOf(db, "web"), "abc9f0");
      assert.equal(idOf(db, "abd000"), "abd000", "a full id");
      assert.equal(idOf(db, "abc9"), "abc9f0", "a prefix whose last digit is 9 (the range ends at ':')");
      assert.equal(idOf(db, "abcf"), "abcf12", "a prefix whose last digit is f (the range ends at 'g')");
      assert.equal(idOf(db, "abca0"), "abca00");
      assert.equal(idOf(db, "abc"), undefined, "three rows start with abc: ambiguous");
      assert.equal(idOf(db, "abd"), "abd000", "the range stops before the next prefix");
      assert.equal(idOf(db, "abb"), undefined, "nothing starts with abb");
      assert.equal(idOf(db, "ab"), undefined, "two digits are not a prefix (it takes 3)");
    },
  );
});
