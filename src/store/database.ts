import Database from "better-sqlite3";
import { sqliteNativeBinding } from "../native/sqlite-binding.js";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { BerthError, messageOf } from "../errors.js";

export type Db = Database.Database;

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE networks (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     driver TEXT NOT NULL,
     bridge TEXT NOT NULL UNIQUE,
     subnet TEXT NOT NULL,
     gateway TEXT NOT NULL,
     ip_range TEXT,
     internal INTEGER NOT NULL,
     dns_enabled INTEGER NOT NULL,
     isolate INTEGER NOT NULL,
     mtu INTEGER,
     labels TEXT NOT NULL,
     dns_servers TEXT NOT NULL,
     next_ip INTEGER NOT NULL DEFAULT 0,
     created TEXT NOT NULL
   );
   CREATE TABLE containers (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     command TEXT NOT NULL,
     hostname TEXT NOT NULL,
     mode TEXT NOT NULL,
     mode_target TEXT,
     netns TEXT,
     rootfs TEXT,
     auto_remove INTEGER NOT NULL,
     detached INTEGER NOT NULL,
     dns TEXT NOT NULL,
     extra_hosts TEXT NOT NULL,
     networks TEXT NOT NULL,
     status TEXT NOT NULL,
     owner_pid INTEGER,
     pid INTEGER,
     exit_code INTEGER,
     created TEXT NOT NULL,
     started TEXT,
     finished TEXT
   );
   CREATE TABLE attachments (
     container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
     network_id TEXT NOT NULL REFERENCES networks(id),
     ifname TEXT NOT NULL,
     host_veth TEXT NOT NULL UNIQUE,
     ip TEXT NOT NULL,
     mac TEXT NOT NULL,
     aliases TEXT NOT NULL,
     static_ip INTEGER NOT NULL,
     PRIMARY KEY (container_id, network_id),
     UNIQUE (network_id, ip),
     UNIQUE (container_id, ifname)
   );
   CREATE INDEX attachments_network ON attachments(network_id);
   CREATE TABLE ports (
     container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
     proto TEXT NOT NULL,
     host_ip TEXT NOT NULL,
     host_port INTEGER NOT NULL,
     container_port INTEGER NOT NULL,
     PRIMARY KEY (proto, host_ip, host_port)
   );
   CREATE INDEX ports_container ON ports(container_id);
   CREATE INDEX ports_host_port ON ports(proto, host_port);`,
  // 2: sandboxes and networks owned by another engine (Podman, a CNI runtime)
  `ALTER TABLE containers ADD COLUMN managed_by TEXT;
   ALTER TABLE networks ADD COLUMN managed_by TEXT;`,
  // 3: IPv6 (per-family subnets, gateways and leases; IPv4 columns may be empty for
  // IPv6-only networks) and driver options. SQLite cannot drop NOT NULL, so both
  // tables are rebuilt; openDatabase() turns foreign keys off while migrating.
  `CREATE TABLE networks_v2 (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     driver TEXT NOT NULL,
     bridge TEXT NOT NULL UNIQUE,
     subnet TEXT,
     gateway TEXT,
     ip_range TEXT,
     subnet6 TEXT,
     gateway6 TEXT,
     internal INTEGER NOT NULL,
     dns_enabled INTEGER NOT NULL,
     isolate INTEGER NOT NULL,
     mtu INTEGER,
     labels TEXT NOT NULL,
     dns_servers TEXT NOT NULL,
     driver_options TEXT NOT NULL DEFAULT '{}',
     next_ip INTEGER NOT NULL DEFAULT 0,
     next_ip6 TEXT,
     created TEXT NOT NULL,
     managed_by TEXT,
     CHECK (subnet IS NOT NULL OR subnet6 IS NOT NULL)
   );
   INSERT INTO networks_v2 (id, name, driver, bridge, subnet, gateway, ip_range, internal, dns_enabled, isolate, mtu, labels, dns_servers, next_ip, created, managed_by)
     SELECT id, name, driver, bridge, subnet, gateway, ip_range, internal, dns_enabled, isolate, mtu, labels, dns_servers, next_ip, created, managed_by FROM networks;
   DROP TABLE networks;
   ALTER TABLE networks_v2 RENAME TO networks;
   CREATE TABLE attachments_v2 (
     container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
     network_id TEXT NOT NULL REFERENCES networks(id),
     ifname TEXT NOT NULL,
     host_veth TEXT NOT NULL UNIQUE,
     ip TEXT,
     ip6 TEXT,
     mac TEXT NOT NULL,
     aliases TEXT NOT NULL,
     static_ip INTEGER NOT NULL,
     static_ip6 INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (container_id, network_id),
     UNIQUE (network_id, ip),
     UNIQUE (network_id, ip6),
     UNIQUE (container_id, ifname)
   );
   INSERT INTO attachments_v2 (container_id, network_id, ifname, host_veth, ip, mac, aliases, static_ip)
     SELECT container_id, network_id, ifname, host_veth, ip, mac, aliases, static_ip FROM attachments;
   DROP TABLE attachments;
   ALTER TABLE attachments_v2 RENAME TO attachments;
   CREATE INDEX attachments_network ON attachments(network_id);`,
  // 4: bridges that were on the host before their network (never deleted or re-addressed by Berth)
  `ALTER TABLE networks ADD COLUMN bridge_external INTEGER NOT NULL DEFAULT 0;`,
  // 5: networks without addresses (Podman's --ipam-driver none):
  // neither subnet column is set. SQLite cannot drop a CHECK, so the table is rebuilt.
  `CREATE TABLE networks_v5 (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     driver TEXT NOT NULL,
     bridge TEXT NOT NULL UNIQUE,
     subnet TEXT,
     gateway TEXT,
     ip_range TEXT,
     subnet6 TEXT,
     gateway6 TEXT,
     internal INTEGER NOT NULL,
     dns_enabled INTEGER NOT NULL,
     isolate INTEGER NOT NULL,
     mtu INTEGER,
     labels TEXT NOT NULL,
     dns_servers TEXT NOT NULL,
     driver_options TEXT NOT NULL DEFAULT '{}',
     next_ip INTEGER NOT NULL DEFAULT 0,
     next_ip6 TEXT,
     created TEXT NOT NULL,
     managed_by TEXT,
     bridge_external INTEGER NOT NULL DEFAULT 0,
     CHECK (gateway IS NULL OR subnet IS NOT NULL),
     CHECK (gateway6 IS NULL OR subnet6 IS NOT NULL)
   );
   INSERT INTO networks_v5 SELECT id, name, driver, bridge, subnet, gateway, ip_range, subnet6, gateway6, internal, dns_enabled, isolate, mtu, labels,
     dns_servers, driver_options, next_ip, next_ip6, created, managed_by, bridge_external FROM networks;
   DROP TABLE networks;
   ALTER TABLE networks_v5 RENAME TO networks;`,
  // 6: queries that ran on every change or removal look at the rows they need, not all: the interrupted
  // work (ContainerRows.unfinished) and the containers sharing one's namespace (dependents)
  `CREATE INDEX containers_status ON containers(status, detached);
   CREATE INDEX containers_mode_target ON containers(mode_target);`,
];

/**
 * How long a berth process waits for another one's write transaction.
 * Attaches run inside it, so on a busy host 50 concurrent `run`s queue for
 * a while; only a holder stuck for minutes should make a command fail.
 */
export const LOCK_WAIT_MS = 120_000;

/** More distinct SQL texts than the store has: a bound, in case a caller ever builds them from data. */
const MAX_COMPILED = 256;

/**
 * SQLite compiles a statement at each prepare() (0.1-0.3 ms, which was a
 * tenth of a container's setup in the resident service). The store's SQL
 * texts are a small fixed set, so each is compiled once per connection and
 * reused; its statements are only run with get/all/run, never left
 * iterating or switched to pluck/raw mode, so sharing one is safe.
 */
function compileOnce(db: Db): Db {
  const compiled = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    let st = compiled.get(sql);
    if (st === undefined) {
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      st = prepare(sql);
      compiled.set(sql, st);
    }
    return st;
  }) as Db["prepare"];
  return db;
}

/**
 * Open (and migrate) the state database. WAL mode lets readers run while one
 * writer holds the lock; `busy_timeout` makes concurrent berth processes wait
 * for each other instead of failing.
 */
export function openDatabase(file: string): Db {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const nativeBinding = sqliteNativeBinding();
    const db = new Database(file, nativeBinding === undefined ? {} : { nativeBinding });
    chmodSync(file, 0o600);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
    // off while migrating: rebuilding a referenced table must not cascade or fail
    db.pragma("foreign_keys = OFF");
    migrate(db);
    db.pragma("foreign_keys = ON");
    return compileOnce(db);
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("STATE", `Cannot open the state database ${file}: ${messageOf(e)}`, {
      hint: "Run berth as root; if the file is damaged, `berth system reset -f` starts over",
      cause: e,
    });
  }
}

function migrate(db: Db): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new BerthError("STATE", `The state database has schema version ${version}, newer than this berth knows (${MIGRATIONS.length})`, {
      hint: "Upgrade berth, or run `berth system reset -f` to start over",
    });
  }
  if (version === MIGRATIONS.length) return;
  db.transaction(() => {
    const current = db.pragma("user_version", { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? "");
    }
    const broken = db.pragma("foreign_key_check") as unknown[];
    if (broken.length > 0)
      throw new BerthError("STATE", `Migrating the state database left ${broken.length} dangling references`, {
        hint: "Run `berth system reset -f` to start over",
      });
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
