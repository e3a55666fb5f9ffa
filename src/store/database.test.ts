import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, openDatabase } from "./database.js";
import { NetworkRows } from "./network-rows.js";
import { AttachmentRows } from "./attachment-rows.js";
import { withTempDatabase } from "./temp-database.test-support.js";

test("openDatabase() migrates a schema-1 database to IPv6 columns, keeping networks, leases and their references", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-db-"));
  try {
    const file = join(dir, "berth.db");
    const old = new Database(file);
    old.exec(MIGRATIONS[0] ?? "");
    old.pragma("user_version = 1");
    old
      .prepare(`INSERT INTO networks VALUES ('n1', 'web', 'bridge', 'berth1', '10.89.0.0/24', '10.89.0.1', NULL, 0, 1, 1, NULL, '{}', '[]', 7, '2026-01-01')`)
      .run();
    old
      .prepare(
        `INSERT INTO containers (id, name, command, hostname, mode, auto_remove, detached, dns, extra_hosts, networks, status, created)
                 VALUES ('c1', 'app', '[]', 'app', 'bridge', 0, 1, '{}', '[]', '[]', 'running', '2026-01-01')`,
      )
      .run();
    old.prepare(`INSERT INTO attachments VALUES ('c1', 'n1', 'eth0', 'bth000000000001', '10.89.0.2', '02:00:00:00:00:01', '[]', 1)`).run();
    old.close();

    const db = openDatabase(file);
    assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
    assert.equal(db.pragma("foreign_keys", { simple: true }), 1, "foreign keys are back on");
    const nets = new NetworkRows(db);
    const n = nets.byId("n1");
    assert.equal(n?.subnet, "10.89.0.0/24");
    assert.equal(n?.subnet6, undefined);
    assert.deepEqual(n?.driverOptions, {});
    assert.equal(nets.nextIp("n1"), 7, "the IPAM cursor survives");
    const a = new AttachmentRows(db).forContainer("c1")[0];
    assert.equal(a?.ip, "10.89.0.2");
    assert.equal(a?.ip6, undefined);
    assert.equal(a?.staticIp, true);
    // the rebuilt tables keep their constraints: a lease is unique per network and family, and references hold
    assert.throws(() =>
      db
        .prepare(
          `INSERT INTO attachments (container_id, network_id, ifname, host_veth, ip, mac, aliases, static_ip) VALUES ('c1', 'n1', 'eth1', 'bth2', '10.89.0.2', 'm', '[]', 0)`,
        )
        .run(),
    );
    assert.throws(
      () =>
        db
          .prepare(
            `INSERT INTO attachments (container_id, network_id, ifname, host_veth, ip, mac, aliases, static_ip) VALUES ('c1', 'nope', 'eth1', 'bth3', '10.1.0.2', 'm', '[]', 0)`,
          )
          .run(),
      /FOREIGN KEY/,
    );
    assert.throws(
      () =>
        db
          .prepare(
            `INSERT INTO networks (id, name, driver, bridge, gateway, internal, dns_enabled, isolate, labels, dns_servers, created) VALUES ('n2', 'x', 'bridge', 'b2', '10.1.0.1', 0, 0, 0, '{}', '[]', 'now')`,
          )
          .run(),
      /CHECK/,
      "a gateway needs its family's subnet",
    );
    db.prepare("DELETE FROM containers WHERE id = 'c1'").run();
    assert.equal(new AttachmentRows(db).forContainer("c1").length, 0, "ON DELETE CASCADE still holds");
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a network without addresses (--ipam-driver none) is stored and read back with no subnet of either family", () => {
  withTempDatabase((db) => {
    const nets = new NetworkRows(db);
    nets.insert({
      id: "n0",
      name: "bare",
      driver: "bridge",
      bridge: "podman9",
      subnet: undefined,
      gateway: undefined,
      ipRange: undefined,
      subnet6: undefined,
      gateway6: undefined,
      driverOptions: {},
      internal: false,
      dnsEnabled: false,
      isolate: false,
      mtu: undefined,
      labels: {},
      dnsServers: [],
      created: "2026-01-01",
      managedBy: "podman",
    });
    const n = nets.byName("bare");
    assert.equal(n?.id, "n0");
    assert.equal(n?.subnet, undefined);
    assert.equal(n?.subnet6, undefined);
  });
});

test("the queries every change and removal make find their rows through an index, not by reading every container", () => {
  withTempDatabase((db) => {
    const plan = (sql: string, ...params: string[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("; ");
    // ContainerRows.unfinished() and dependents(), as they are written there
    const unfinished = plan(
      "SELECT * FROM containers WHERE status IN ('creating', 'removing') OR (status = 'running' AND detached = 0) ORDER BY created, name",
    );
    assert.match(unfinished, /USING INDEX containers_status/);
    assert.doesNotMatch(unfinished, /SCAN containers/);
    assert.match(plan("SELECT * FROM containers WHERE mode_target = ?", "x"), /USING INDEX containers_mode_target/);
  });
});

test("openDatabase() compiles each SQL text once: the same statement comes back, and runs with new parameters", () => {
  withTempDatabase((db) => {
    const sql = "SELECT ? + 1 AS n";
    const st = db.prepare(sql);
    assert.equal(db.prepare(sql), st);
    assert.deepEqual(db.prepare(sql).get(1), { n: 2 });
    assert.deepEqual(db.prepare(sql).get(41), { n: 42 });
  });
});
