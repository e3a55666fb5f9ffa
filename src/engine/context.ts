import { berthPaths, type BerthPaths } from "../paths.js";
import { Store } from "../store/index.js";
import { NetlinkHandle } from "../kernel/index.js";
import { Firewall } from "../firewall/index.js";
import { Runtime } from "../runtime/index.js";
import { BerthError } from "../errors.js";
import { checkPrivateDirs } from "../private-paths.js";
import type { ChangePlan } from "./dry-run/planned-change.js";

/**
 * Everything an engine verb needs, opened once per process. The host netlink
 * handle and the firewall are opened lazily: read-only verbs never touch them.
 */
export class Engine {
  readonly paths: BerthPaths;
  readonly store: Store;
  readonly runtime: Runtime;
  #host: NetlinkHandle | undefined;
  #firewall: Firewall | undefined;
  /**
   * Set during --dry-run (see dry-run/preview.ts): the steps that would
   * touch the kernel, the nft table, DNS or the runtime record themselves
   * here instead.
   */
  plan: ChangePlan | undefined;
  /** Bridge ifindexes seen by this process: an attach need not look the bridge up again. */
  readonly bridgeIndexes = new Map<string, number>();

  constructor(paths: BerthPaths) {
    this.paths = paths;
    this.store = Store.open(paths.db);
    this.runtime = new Runtime(paths);
  }

  static open(env: NodeJS.ProcessEnv = process.env): Engine {
    requireRoot();
    const paths = berthPaths(env);
    checkPrivateDirs(paths, env);
    return new Engine(paths);
  }

  /** Netlink handle in the host's (the caller's) network namespace. */
  get host(): NetlinkHandle {
    this.#host ??= NetlinkHandle.open();
    return this.#host;
  }

  get firewall(): Firewall {
    this.#firewall ??= new Firewall();
    return this.#firewall;
  }

  close(): void {
    this.#host?.close();
    this.#host = undefined;
    this.#firewall?.close();
    this.#firewall = undefined;
    this.store.close();
  }
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new BerthError("PERMISSION", "berth needs root: it creates network namespaces, bridges and firewall rules", {
      hint: "Run it with sudo, or as root",
    });
  }
}
