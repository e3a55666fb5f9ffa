import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dnsDir, type BerthPaths } from "../paths.js";
import { checkPrivateDir, replaceFile } from "../private-paths.js";
import { resolverLingerMs, resolverPort } from "./launcher.js";
import { Zone } from "./zone.js";
import { diffZones } from "./zone-delta.js";
import { EMPTY_ZONE, parseZoneSnapshot, type DnsZoneSnapshot } from "./zone-snapshot.js";
import { Forwarder } from "./forwarder.js";
import { Responder } from "./responder.js";
import { Listener } from "./server.js";
import { UdpService } from "./udp-service.js";
import { nameserversOf } from "./upstream.js";
import { watchFile, type Unwatch } from "./file-watch.js";
import { acquireSingleton } from "./singleton.js";
import type { ResolverState } from "./resolver-state.js";
import { ForwardGate, type ForwardStats } from "./forward-gate.js";

export interface ResolverDaemonOptions {
  readonly paths: BerthPaths;
  /** Host resolver configuration to forward to. @default "/etc/resolv.conf" */
  readonly resolvConfPath?: string;
}

function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} berth-dns[${process.pid}]: ${msg}\n`);
}

/** zone.json as published by the engine; missing means empty; unreadable keeps the current zone (undefined). */
function readZone(file: string): DnsZoneSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_ZONE;
    log(`cannot read ${file}: ${(e as Error).message}`);
    return undefined;
  }
  try {
    return parseZoneSnapshot(JSON.parse(text));
  } catch (e) {
    log(`ignoring ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

function readNameservers(path: string): string[] {
  try {
    return nameserversOf(readFileSync(path, "utf8"));
  } catch {
    return [];
  }
}

/**
 * The resolver daemon: one per host (per run dir), in its own process so
 * that blocking kernel work in berth never stalls a lookup. It serves the
 * zone the engine publishes in `<runDir>/dns/zone.json` on UDP and TCP port
 * 53 of every DNS network's gateway; when the file changes it swaps in a
 * new zone (queries in flight finish with the zone they started with) and
 * opens or closes listeners for gateways that came or went, keeping the
 * others open. It follows changes to the host's resolv.conf, writes its pid
 * to `resolver.pid` once listening, and returns when the zone has no
 * network left or on SIGTERM/SIGINT.
 */
export async function runResolverDaemon(opts: ResolverDaemonOptions): Promise<void> {
  const dir = dnsDir(opts.paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivateDir(dir, "resolver directory");
  const zoneFile = join(dir, "zone.json");
  const pidFile = join(dir, "resolver.pid");
  const resolvConf = opts.resolvConfPath ?? "/etc/resolv.conf";
  const port = resolverPort();

  const lock = await acquireSingleton(dir);
  if (!lock) {
    log("another resolver daemon is running; exiting");
    return;
  }
  const first = readZone(zoneFile) ?? EMPTY_ZONE;
  const state: ResolverState = { zone: new Zone(first), hostUpstreams: [], ownAddresses: new Set() };
  /** The snapshot state.zone and the UDP thread's zone were made from (the base of the next delta). */
  let served = first;
  let hostServers = readNameservers(resolvConf);
  const setHostUpstreams = () => (state.hostUpstreams = hostServers.filter((s) => !state.ownAddresses.has(s)));
  const fastPath = process.env["BERTH_DNS_FASTPATH"] !== "0";
  const gate = ForwardGate.create();
  const responder = new Responder(state, new Forwarder(), { fastPath, gate });
  const handle = responder.respond.bind(responder);
  const udp = new UdpService({ snapshot: first, handle, fastPath, log, gate });
  const listeners = new Map<string, Listener>();
  const failedBind = new Map<string, string>();
  const unwatch: Unwatch[] = [];
  const lingerMs = resolverLingerMs();
  let lingering: NodeJS.Timeout | undefined;
  let stopping = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));

  const loadedFile = join(dir, "zone.loaded");
  const writeLoaded = (serial: number | undefined) => {
    if (serial === undefined || stopping) return;
    replaceFile(loadedFile, `${serial}\n`, ".tmp", 0o644);
  };
  const writePid = () => replaceFile(pidFile, `${process.pid}\n`, ".tmp", 0o644);
  const statsFile = join(dir, "resolver.stats");
  /** SIGUSR2 (SIGUSR1 would be Node's debugger): the forwarding gate's counters and limits, and the process's memory, to resolver.stats (JSON). */
  const writeStats = () => {
    const stats = { ...gate.stats(), limits: gate.limits, rssBytes: process.memoryUsage.rss() };
    replaceFile(statsFile, `${JSON.stringify(stats)}\n`);
  };
  let reported: ForwardStats = gate.stats();
  /** Say in the log, at most every 10 s, when the gate turned queries away. */
  const reportLimits = () => {
    const now = gate.stats();
    const turned = (x: ForwardStats) => x.refusedFull + x.refusedClientFull + x.rateLimited;
    if (turned(now) === turned(reported)) return;
    log(
      `forwarding limits turned away ${now.rateLimited - reported.rateLimited} queries (client rate), ${now.refusedClientFull - reported.refusedClientFull} (client's pending), ${now.refusedFull - reported.refusedFull} (all pending) in the last 10 s, with SERVFAIL; at most ${now.peakPending} of ${gate.limits.maxPending} pending`,
    );
    reported = now;
  };
  const onCrash = (e: unknown) => log(`internal error (still serving): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(lingering);
    log(`stopping: ${why}`);
    for (const u of unwatch) u();
    for (const l of listeners.values()) l.close();
    listeners.clear();
    clearInterval(retry);
    clearInterval(limitsReport);
    rmSync(pidFile, { force: true });
    rmSync(loadedFile, { force: true });
    process.off("uncaughtException", onCrash);
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onTerm);
    process.off("SIGHUP", onHup);
    process.off("SIGUSR2", writeStats);
    void udp.stop().finally(() => {
      lock.close();
      resolveDone();
    });
  };

  /** Make the open listeners match the zone's gateways; a bind that fails is retried (the address may not be up yet). */
  let syncing: Promise<void> = Promise.resolve();
  const syncListeners = () =>
    (syncing = syncing.then(async () => {
      const wanted = new Set(state.zone.gateways);
      for (const [addr, l] of listeners) {
        if (wanted.has(addr)) continue;
        l.close();
        listeners.delete(addr);
        log(`closed ${addr}:${port}`);
      }
      for (const addr of failedBind.keys()) if (!wanted.has(addr)) failedBind.delete(addr);
      for (const addr of wanted) {
        if (listeners.has(addr) || stopping) continue;
        try {
          listeners.set(addr, await Listener.open(addr, port, handle, udp, { admit: (client, gateway) => state.zone.isMember(client, gateway) }));
          failedBind.delete(addr);
          log(`listening on ${addr}:${port} (udp, tcp)`);
        } catch (e) {
          const msg = (e as Error).message;
          if (failedBind.get(addr) !== msg) log(`cannot listen on ${addr}:${port} yet (retrying): ${msg}`);
          failedBind.set(addr, msg);
        }
      }
    }));

  const reloadZone = async () => {
    if (stopping) return;
    const snap = readZone(zoneFile);
    if (!snap) return;
    let zoneSnapshot = snap;
    // one container's setup changes its own names: apply that, not a whole new zone (1,000 containers: ~1 ms against ~100)
    let delta = diffZones(served, snap);
    if (delta === undefined || !state.zone.apply(delta)) {
      delta = undefined;
      state.zone = new Zone(snap);
    }
    served = snap;
    state.ownAddresses = new Set(state.zone.gateways);
    setHostUpstreams();
    if (state.zone.empty && lingerMs === 0) {
      if (!giveUpIfStillEmpty()) return;
      zoneSnapshot = served;
      delta = undefined;
    }
    clearTimeout(lingering);
    // the last name went: keep serving (no listeners) a while, so the next container does not wait for a new process
    if (state.zone.empty) lingering = setTimeout(() => void lingerOver(), lingerMs);
    const serial = state.zone.serial;
    await udp.setZone(zoneSnapshot, delta);
    await syncListeners();
    writeLoaded(serial);
  };

  /**
   * The zone is empty: give up the pid file first, then look once more (an
   * engine that wrote a new zone after that look finds no daemon and starts
   * one). False once stopping; true when the new look found names again
   * (the daemon serves them: state.zone and `served` are that zone).
   */
  const giveUpIfStillEmpty = (): boolean => {
    rmSync(pidFile, { force: true });
    const again = readZone(zoneFile);
    if (again && again.networks.length > 0) {
      served = again;
      state.zone = new Zone(again);
      state.ownAddresses = new Set(state.zone.gateways);
      setHostUpstreams();
      writePid();
      return true;
    }
    stop("no DNS-enabled network left");
    return false;
  };
  /** The linger after the last name is over: stop, unless names came back meanwhile. */
  const lingerOver = async () => {
    if (stopping || !state.zone.empty) return;
    if (!giveUpIfStillEmpty()) return;
    // names came back between the last reload and this look: serve them as a reload would
    await udp.setZone(served, undefined);
    await syncListeners();
    writeLoaded(state.zone.serial);
  };
  const onTerm = () => stop("signal");
  const onHup = () => {
    hostServers = readNameservers(resolvConf);
    setHostUpstreams();
    void reloadZone();
  };
  process.on("uncaughtException", onCrash);
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onTerm);
  process.on("SIGHUP", onHup);
  process.on("SIGUSR2", writeStats);
  const limitsReport = setInterval(reportLimits, 10_000);
  limitsReport.unref();
  const retry = setInterval(() => {
    if (failedBind.size > 0) void syncListeners();
  }, 250);

  state.ownAddresses = new Set(state.zone.gateways);
  setHostUpstreams();
  if (state.zone.empty) {
    stop("the zone is empty");
    return;
  }
  await syncListeners();
  if (stopping) return done;
  writePid();
  log(`serving ${state.zone.gateways.length} network(s); upstreams from ${resolvConf}: ${hostServers.join(" ") || "none"}`);
  unwatch.push(watchFile(zoneFile, () => void reloadZone()));
  unwatch.push(
    watchFile(resolvConf, () => {
      hostServers = readNameservers(resolvConf);
      setHostUpstreams();
      log(`host upstreams now: ${hostServers.join(" ") || "none"}`);
    }),
  );
  // the zone may have changed between the first read and the watch
  await reloadZone();
  return done;
}
