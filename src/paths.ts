import { join } from "node:path";

/**
 * The one place that knows where Berth keeps things on a host.
 * `BERTH_ROOT` moves all of it (tests use a temp dir); the single
 * `BERTH_*_DIR` variables move one part.
 */
export interface BerthPaths {
  /** Directory of the SQLite state database. */
  readonly stateDir: string;
  /** The SQLite database file. */
  readonly db: string;
  /** Runtime files: per-container bundles, pid files, hosts/resolv.conf. */
  readonly runDir: string;
  /** Where named network namespaces are bind-mounted (`ip netns` uses /run/netns). */
  readonly netnsDir: string;
  /** Exit files written by the container monitor. */
  readonly exitDir: string;
  /**
   * The host's resolver configuration: where outside names are sent (the
   * resolver's upstreams, a DNS-less container's name servers).
   * `BERTH_RESOLV_CONF` moves it, e.g. to systemd-resolved's
   * /run/systemd/resolve/resolv.conf when /etc/resolv.conf names only its stub.
   */
  readonly hostResolvConf: string;
}

export function berthPaths(env: NodeJS.ProcessEnv = process.env): BerthPaths {
  const root = env["BERTH_ROOT"];
  const stateDir = env["BERTH_STATE_DIR"] ?? (root ? join(root, "lib") : "/var/lib/berth");
  const runDir = env["BERTH_RUN_DIR"] ?? (root ? join(root, "run") : "/run/berth");
  const netnsDir = env["BERTH_NETNS_DIR"] ?? (root ? join(root, "netns") : "/run/netns");
  return {
    stateDir,
    db: join(stateDir, "berth.db"),
    runDir,
    netnsDir,
    exitDir: join(runDir, "exits"),
    hostResolvConf: env["BERTH_RESOLV_CONF"] ?? "/etc/resolv.conf",
  };
}

/** Where the DNS resolver keeps its zone, pid file, log and stats: `<runDir>/dns`. */
export function dnsDir(paths: BerthPaths): string {
  return join(paths.runDir, "dns");
}

/** Directory of one container's runtime files (bundle, hosts, resolv.conf). */
export function containerRunDir(paths: BerthPaths, id: string): string {
  return join(paths.runDir, "containers", id);
}
