import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { sqliteNativeBinding } from "../../native/sqlite-binding.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { berthPaths, type BerthPaths } from "../../paths.js";
import { Store } from "../../store/index.js";
import { Engine } from "../context.js";
import { FaultPlan } from "./fault-plan.js";
import { FakeKernel } from "./fake-kernel.js";
import { FakeFirewall } from "./fake-firewall.js";
import { FakeFirewalld } from "./fake-firewalld.js";
import { FakeRuntime } from "./fake-runtime.js";
import { FakeResolver } from "./fake-resolver.js";

function nativeBinding(): { nativeBinding?: string } {
  const b = sqliteNativeBinding();
  return b === undefined ? {} : { nativeBinding: b };
}

/** The state a rollback must restore: store rows, kernel objects, nft table, runtime containers. */
export interface EngineState {
  readonly store: Record<string, string[]>;
  readonly kernel: Record<string, string[]>;
  readonly firewall: string[];
  /** firewalld's zone sources ("trusted 10.77.0.0/24"), when a test runs it. */
  readonly firewalld: string[];
  readonly runtime: string[];
}

/**
 * An engine on fakes, for unit tests without root: a real SQLite store in
 * a temporary directory (files, bundles and the DNS zone go there too),
 * and the in-memory kernel, firewall, runtime and resolver, all counting
 * their calls in one FaultPlan.
 */
export class FakeEngine {
  readonly dir: string;
  readonly paths: BerthPaths;
  readonly faults = new FaultPlan();
  readonly kernel = new FakeKernel(this.faults);
  readonly firewall = new FakeFirewall(this.faults);
  /** Not running unless a test says so (`firewalld.isRunning = true`). */
  readonly firewalld = new FakeFirewalld(this.faults);
  readonly runtime: FakeRuntime;
  readonly resolver = new FakeResolver(this.faults);
  engine: Engine;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "berth-engine-"));
    this.paths = berthPaths({ BERTH_ROOT: this.dir, BERTH_RESOLV_CONF: join(this.dir, "resolv.conf") });
    this.runtime = new FakeRuntime(this.paths, this.faults);
    this.engine = new Engine({
      paths: this.paths,
      store: Store.open(this.paths.db),
      kernel: this.kernel,
      firewall: () => this.firewall,
      runtime: this.runtime,
      resolver: this.resolver,
      firewalld: this.firewalld,
    });
  }

  /** Everything a failed verb must leave as it found it. */
  state(): EngineState {
    const s = {
      store: storeRows(this.engine.store),
      kernel: this.kernel.snapshot(),
      firewall: this.firewall.snapshot(),
      firewalld: [...this.firewalld.zones].map(([source, zone]) => `${zone} ${source}`).sort(),
      runtime: this.runtime.snapshot(),
    };
    // paths under this engine's temporary directory read the same in every engine
    return JSON.parse(JSON.stringify(s).replaceAll(this.dir, "$ROOT")) as EngineState;
  }

  /**
   * The process died here (a crash at a fault point): the store keeps what
   * was committed, the kernel, firewall and runtime keep what was done, and
   * nothing the dying process would still do takes effect. Returns the
   * committed store, for `restart`.
   */
  crash(): Buffer {
    this.faults.crashed = true;
    const reader = new Database(this.paths.db, { readonly: true, ...nativeBinding() });
    try {
      return reader.serialize();
    } finally {
      reader.close();
    }
  }

  /**
   * A new berth process after the crash: the same kernel, firewall and
   * runtime, the store as it was committed, and the crashed process gone
   * (the rows it owned name a pid that no longer runs).
   */
  restart(committed: Buffer): void {
    this.faults.crashed = false;
    this.engine.close();
    const file = join(this.dir, `restarted-${Date.now()}.db`);
    writeFileSync(file, committed);
    const store = Store.open(file);
    const dead = spawnSync("true").pid;
    store.db.prepare("UPDATE containers SET owner_pid = ? WHERE owner_pid = ?").run(dead, process.pid);
    this.engine = new Engine({
      paths: this.paths,
      store,
      kernel: this.kernel,
      firewall: () => this.firewall,
      runtime: this.runtime,
      resolver: this.resolver,
      firewalld: this.firewalld,
    });
  }

  close(): void {
    this.engine.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Every row of every table as sorted text, except the networks' address
 * cursors (round-robin allocation moves on past a lease that was rolled
 * back, by design: an address just released is not handed out again at once).
 */
function storeRows(store: Store): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    const rows = store.db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
    out[name] = rows
      .map((r) =>
        Object.entries(r)
          .filter(([k]) => !k.startsWith("next_ip"))
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(" "),
      )
      .sort();
  }
  return out;
}
