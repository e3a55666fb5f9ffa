import { berthPaths, type BerthPaths } from "../paths.js";
import { Store } from "../store/index.js";
import { BerthError } from "../errors.js";
import { checkPrivateDirs } from "../private-paths.js";
import {
  realFirewall,
  realFirewalld,
  realKernel,
  realResolver,
  realRuntime,
  type ContainerRuntime,
  type FirewallTable,
  type Firewalld,
  type Kernel,
  type Netlink,
  type Resolver,
} from "./deps/index.js";

/** What an engine is made of: its store and what it drives (see engine/deps/). */
export interface EngineParts {
  readonly paths: BerthPaths;
  readonly store: Store;
  readonly kernel: Kernel;
  /** Opened on first use: read-only verbs never touch the nft table. */
  readonly firewall: () => FirewallTable;
  readonly runtime: ContainerRuntime;
  readonly resolver: Resolver;
  /** firewalld on the system bus (the real one when left out: it costs a stat when there is none). */
  readonly firewalld?: Firewalld;
}

/**
 * Everything an engine verb needs, opened once per process. `Engine.open()`
 * wires the real kernel, nft table, runtime and resolver; tests give fakes
 * (engine/testing/). The host netlink handle and the firewall are opened
 * lazily: read-only verbs never touch them.
 */
export class Engine {
  readonly paths: BerthPaths;
  readonly store: Store;
  readonly kernel: Kernel;
  readonly runtime: ContainerRuntime;
  readonly resolver: Resolver;
  /** firewalld, whose trusted zone lets Berth's subnets through its own chains (sync/trusted-zone.ts). */
  readonly firewalld: Firewalld;
  readonly #openFirewall: () => FirewallTable;
  #firewall: FirewallTable | undefined;
  /** Bridge ifindexes seen by this process: an attach need not look the bridge up again. */
  readonly bridgeIndexes = new Map<string, number>();

  constructor(parts: EngineParts) {
    this.paths = parts.paths;
    this.store = parts.store;
    this.kernel = parts.kernel;
    this.runtime = parts.runtime;
    this.resolver = parts.resolver;
    this.firewalld = parts.firewalld ?? realFirewalld();
    this.#openFirewall = parts.firewall;
  }

  /** The real engine at the paths `env` names (as root). */
  static open(env: NodeJS.ProcessEnv = process.env): Engine {
    requireRoot();
    const paths = berthPaths(env);
    checkPrivateDirs(paths, env);
    return Engine.real(paths);
  }

  /** The real kernel, firewall, runtime and resolver on `paths`, without the root and directory checks (benchmarks). */
  static real(paths: BerthPaths): Engine {
    return new Engine({
      paths,
      store: Store.open(paths.db),
      kernel: realKernel(),
      firewall: realFirewall,
      runtime: realRuntime(paths),
      resolver: realResolver(paths),
      firewalld: realFirewalld(),
    });
  }

  /** Netlink handle in the host's (the caller's) network namespace. */
  get host(): Netlink {
    return this.kernel.host;
  }

  get firewall(): FirewallTable {
    this.#firewall ??= this.#openFirewall();
    return this.#firewall;
  }

  close(): void {
    this.kernel.close();
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
