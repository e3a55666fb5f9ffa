import { mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { BerthPaths } from "../paths.js";
import { dnsDir } from "./launcher.js";
import { Zone, type DnsZoneSnapshot } from "./zone.js";
import { Forwarder, hostNameservers } from "./upstreams.js";
import { Listener, answer, type ResolverState } from "./server.js";


function readZone(paths: BerthPaths): DnsZoneSnapshot {
  try {
    return JSON.parse(readFileSync(join(dnsDir(paths), "zone.json"), "utf8")) as DnsZoneSnapshot;
  } catch {
    return { version: 1, networks: [] };
  }
}

function dnsPort(): number {
  return Number(process.env["BERTH_DNS_PORT"] ?? 53);
}

/**
 * The resolver daemon: one per host, its own process (so blocking kernel work
 * in berth never stalls lookups). It serves the zone the engine publishes in
 * zone.json, swaps it in place when the file changes (queries in flight keep
 * the zone they started with), listens on each DNS network's gateway, and
 * exits when the zone is empty.
 */
export async function runResolverDaemon(opts: { paths: BerthPaths; resolvConfPath?: string }): Promise<void> {
  const dir = dnsDir(opts.paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const resolvConf = opts.resolvConfPath ?? "/etc/resolv.conf";
  const state: ResolverState = { zone: new Zone(readZone(opts.paths)), hostUpstreams: hostNameservers(resolvConf) };
  const fwd = new Forwarder();
  const listeners = new Map<string, Listener>();
  const handle = (client: string, q: Buffer, proto: "udp" | "tcp") => answer(state, fwd, client, q, proto);
  let stopping = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const watchers: FSWatcher[] = [];

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const l of listeners.values()) l.close();
    for (const w of watchers) w.close();
    clearInterval(timer);
    rmSync(join(dir, "resolver.pid"), { force: true });
    resolveDone();
  };

  const reload = async () => {
    if (stopping) return;
    state.zone = new Zone(readZone(opts.paths));
    if (state.zone.empty) return stop();
    const wanted = new Set(state.zone.gateways);
    for (const [addr, l] of listeners) {
      if (!wanted.has(addr)) {
        l.close();
        listeners.delete(addr);
      }
    }
    for (const addr of wanted) {
      if (listeners.has(addr)) continue;
      try {
        listeners.set(addr, await Listener.open(addr, dnsPort(), handle));
      } catch (e) {
        process.stderr.write(`berth-dns: cannot listen on ${addr}:${dnsPort()}: ${(e as Error).message}\n`);
      }
    }
  };

  await reload();
  if (stopping) return;
  writeFileSync(join(dir, "resolver.pid"), `${process.pid}\n`);
  let pending: NodeJS.Timeout | undefined;
  const soon = () => {
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => void reload(), 5);
  };
  watchers.push(watch(dir, (_e, f) => f === "zone.json" && soon()));
  try {
    watchers.push(watch(resolvConf, () => (state.hostUpstreams = hostNameservers(resolvConf))));
  } catch {
    // no resolv.conf on the host: forward only to --dns servers
  }
  const timer = setInterval(() => void reload(), 2000);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await done;
}
