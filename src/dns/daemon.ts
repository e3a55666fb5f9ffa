import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dnsDir, type BerthPaths } from "../paths.js";
import { checkPrivateDir, replaceFile } from "../private-paths.js";
import { resolverLingerMs, resolverPort } from "./launcher.js";
import { Zone } from "./zone.js";
import { diffZones, type ZoneDelta } from "./zone-delta.js";
import { JournalReader, zoneFileSerial } from "./zone-journal.js";
import { ZoneModel } from "./zone-model.js";
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
  const journalFile = join(dir, "zone.journal");
  const pidFile = join(dir, "resolver.pid");
  const resolvConf = opts.resolvConfPath ?? "/etc/resolv.conf";
  const port = resolverPort();

  const lock = await acquireSingleton(dir);
  if (!lock) {
    log("another resolver daemon is running; exiting");
    return;
  }
  /** The zone state.zone and the UDP thread's zone serve, as maps (the base of the next change). */
  let served = new ZoneModel(readZone(zoneFile) ?? EMPTY_ZONE);
  const journal = new JournalReader(journalFile);
  // zone.json and the journal lines after it: a restarted daemon serves nothing older than it did
  for (const e of journal.read().entries) {
    if (e.serial <= (served.serial ?? 0)) continue;
    if (e.base === served.serial && served.apply(e)) continue;
    journal.restart(); // the first reload looks again, zone.json first
    break;
  }
  const first = served.snapshot();
  const state: ResolverState = { zone: new Zone(first), hostUpstreams: [], ownAddresses: new Set() };
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
  /** The serial last written to zone.loaded: it only grows (two reloads can finish out of order). */
  let loaded = 0;
  const writeLoaded = (serial: number | undefined) => {
    if (serial === undefined || stopping || serial < loaded) return;
    loaded = serial;
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

  /**
   * Bring the zone up to zone.json plus the journal. zone.json is read
   * whole only when it is newer than what is served (the engine rewrote
   * it: a network came or went, or another process published) or has no
   * serial (`system reset`'s empty zone); the engine's own rewrites from
   * what it already published carry the serial served and cost a 64-byte
   * read. Then the journal's new lines are applied in order, each to the
   * zone it follows (O(the containers that changed)). A line that does
   * not follow what is served (zone.json was replaced between the reads)
   * sends it back to zone.json once.
   */
  const catchUp = (): { rebuilt: DnsZoneSnapshot | undefined; deltas: ZoneDelta[] } | undefined => {
    let rebuilt: DnsZoneSnapshot | undefined;
    const deltas: ZoneDelta[] = [];
    let changed = false;
    const readWhole = (): boolean => {
      const head = zoneFileSerial(zoneFile);
      if (head !== 0 && head <= (served.serial ?? 0)) return true;
      const snap = readZone(zoneFile);
      if (!snap) return false;
      changed = true;
      // one container's change in a zone.json written whole: apply that, not a whole new zone
      const delta = rebuilt === undefined && deltas.length === 0 ? diffZones(served.snapshot(), snap) : undefined;
      if (delta === undefined || !state.zone.apply(delta)) {
        state.zone = new Zone(snap);
        rebuilt = snap;
        deltas.length = 0;
      } else deltas.push(delta);
      served = new ZoneModel(snap);
      return true;
    };
    if (!readWhole()) return undefined;
    for (let pass = 0; pass < 2; pass++) {
      const read = journal.read();
      for (const e of read.errors) log(`ignoring a line of ${journalFile}: ${e}`);
      let gap = false;
      for (const e of read.entries) {
        const at = served.serial ?? 0;
        if (e.serial <= at) continue;
        if (e.base !== at || !served.apply(e)) {
          gap = true;
          break;
        }
        changed = true;
        if (rebuilt !== undefined) continue; // the rebuilt zone is made from `served` below
        if (state.zone.apply(e)) deltas.push(e);
        else {
          state.zone = new Zone(served.snapshot());
          rebuilt = served.snapshot();
          deltas.length = 0;
        }
      }
      if (!gap) break;
      if (pass === 1) {
        log(`${journalFile} does not follow zone serial ${served.serial ?? 0}; waiting for the next zone.json`);
        break;
      }
      // zone.json was replaced under us: take it, and read the journal from its start
      journal.restart();
      if (!readWhole()) break;
    }
    if (rebuilt !== undefined && served.serial !== rebuilt.serial) {
      rebuilt = served.snapshot();
      state.zone = new Zone(rebuilt);
    }
    return changed ? { rebuilt, deltas } : { rebuilt: undefined, deltas: [] };
  };

  const reloadZone = async () => {
    if (stopping) return;
    const next = catchUp();
    if (!next) return;
    state.ownAddresses = new Set(state.zone.gateways);
    setHostUpstreams();
    let { rebuilt } = next;
    let deltas = next.deltas;
    if (state.zone.empty && lingerMs === 0) {
      if (!giveUpIfStillEmpty()) return;
      rebuilt = served.snapshot();
      deltas = [];
    }
    clearTimeout(lingering);
    // the last name went: keep serving (no listeners) a while, so the next container does not wait for a new process
    if (state.zone.empty) lingering = setTimeout(() => void lingerOver(), lingerMs);
    const serial = state.zone.serial;
    const model = served;
    const current = () => model.snapshot();
    if (rebuilt !== undefined) await udp.setZone(rebuilt);
    else await Promise.all(deltas.map((d) => udp.setZone(current, d)));
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
      served = new ZoneModel(again);
      // the journal's lines follow this zone.json: read them from its start
      journal.restart();
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
    await udp.setZone(served.snapshot());
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
  // a journal line is whole when its write returns (a partial one waits for the next read): no debounce
  unwatch.push(watchFile(journalFile, () => void reloadZone(), 1000, 0));
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
