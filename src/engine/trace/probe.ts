import { randomInt } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Engine } from "../context.js";
import { conntrackDelete, conntrackGet, probeSource, sendProbe, sysctlRead, TraceListener, type ProbePacket, type TraceEvent } from "../../kernel/index.js";
import { parseRulesetText, ProbeTables, readRulesetText } from "../../firewall/index.js";
import { cidrContains, parseCidr4, tryParseIpv4 } from "../../model/ipv4.js";
import { BerthError } from "../../errors.js";
import { analyseProbe, type HostFacts } from "./probe-analysis.js";
import type { ProbeResult } from "./probe-result.js";
import type { ProbeTarget } from "./probe-target.js";

/** How long a probe waits for its packet's events and an answer, unless told. */
export const PROBE_TIMEOUT_MS = 2000;
/** Once the outcome is known (a drop, an answer), events that follow within this are still taken. */
const SETTLE_MS = 150;
/** Each wait for events is this short, so a signal is noticed between waits. */
const SLICE_MS = 50;
/** Source ports above the kernel's default ephemeral range (32768-60999): no socket of the host's is likely to use one. */
const SPORT_MIN = 61000;
const SPORT_MAX = 65535;

function readSysctl(key: string): string | undefined {
  try {
    return sysctlRead(key);
  } catch {
    return undefined;
  }
}

function hostFacts(engine: Engine): HostFacts {
  const h = engine.host;
  const links = new Map(h.linkList().map((l) => [l.index, l.name]));
  return {
    ifname: (i) => links.get(i) ?? `ifindex ${i}`,
    routeTo(address) {
      const dst = tryParseIpv4(address);
      if (dst === undefined) return undefined;
      const best = h
        .routeList()
        .filter((r) => r.table === 254)
        .map((r) => ({ r, cidr: r.dst === undefined ? { addr: 0, prefix: 0 } : parseCidr4(r.dst) }))
        .filter((x) => cidrContains(x.cidr, dst))
        .sort((a, b) => b.cidr.prefix - a.cidr.prefix)[0];
      if (!best) return undefined;
      const dev = best.r.ifindex === undefined ? undefined : links.get(best.r.ifindex);
      return `${best.r.dst ?? "default"}${best.r.gateway ? ` via ${best.r.gateway}` : ""}${dev ? ` dev ${dev}` : ""}`;
    },
    isLocal: (address) => address.startsWith("127.") || h.addrList().some((a) => a.ip === address),
    ipForward: () => readSysctl("net.ipv4.ip_forward"),
    untraceableDrops: () =>
      engine.firewall
        .foreignDropPolicies()
        .filter((d) => !d.where.startsWith("nftables"))
        .map((d) => `${d.where} (nftables cannot trace legacy iptables)`),
    containerAt(address) {
      const a = engine.store.attachments.all().find((x) => x.ip === address);
      const c = a ? engine.store.containers.byId(a.containerId) : undefined;
      return a && c ? { name: c.name, veth: a.hostVeth } : undefined;
    },
  };
}

/** Whether the outcome is known: a drop, or an answer came back. */
function settled(events: readonly TraceEvent[], table: string): boolean {
  return events.some((e) => (e.table !== table && e.verdict === "drop") || (e.table === table && e.chain.startsWith("reply_")));
}

/**
 * `berth trace --probe`: send one real packet along the connection (a TCP
 * SYN or a UDP datagram, from the host or from inside a container's
 * namespace) and follow it with nftables tracing through every hook of
 * every table on the host, with its replies. Temporary tables of its own
 * mark the packet (and nothing else) for tracing; they are removed before
 * this returns, whatever happens, and a signal (Ctrl-C) ends the wait early
 * (the tables still go). Waits at most `timeoutMs` for events.
 */
export async function probeTrace(engine: Engine, target: ProbeTarget, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) {
    throw new BerthError("INVALID_ARGUMENT", `--timeout ${timeoutMs} is outside 100-60000 ms`, { hint: "Give the wait in milliseconds, e.g. --timeout 2000" });
  }
  const source = probeSource(target.netns, target.dst, target.dport);
  const packet: ProbePacket = {
    proto: target.proto,
    src: source.kind === "source" ? source.src : "0.0.0.0",
    dst: target.dst,
    sport: randomInt(SPORT_MIN, SPORT_MAX + 1),
    dport: target.dport,
    cookie: randomInt(1, 0xffffffff),
  };
  const tables = new ProbeTables();
  const evidence = { packet, from: target.from, ownTable: tables.name, timeoutMs };
  const facts = hostFacts(engine);
  if (source.kind === "error") {
    tables.close();
    return analyseProbe({ ...evidence, sendError: source.name, events: [], ruleset: parseRulesetText(""), conntrack: undefined }, facts);
  }

  const ruleset = parseRulesetText(readRulesetText());
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    signal = s;
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  const events: TraceEvent[] = [];
  let sendError: string | undefined;
  const listener = new TraceListener();
  try {
    tables.sweepStale();
    tables.add(packet);
    const sent = sendProbe(target.netns, packet);
    if (sent.kind === "error") sendError = sent.name;
    const deadline = Date.now() + timeoutMs;
    let settledAt: number | undefined;
    while (sendError === undefined && signal === undefined) {
      const now = Date.now();
      const end = settledAt === undefined ? deadline : Math.min(deadline, settledAt + SETTLE_MS);
      if (now >= end) break;
      const got = listener.next(Math.min(SLICE_MS, end - now));
      events.push(...got);
      if (settledAt === undefined && settled(events, tables.name)) settledAt = Date.now();
      // let a signal's handler run
      await delay(0);
    }
  } finally {
    listener.close();
    try {
      tables.remove();
    } finally {
      tables.close();
      for (const s of signals) process.off(s, onSignal);
    }
  }
  const tuple = { proto: packet.proto, src: packet.src, dst: packet.dst, sport: packet.sport, dport: packet.dport };
  const conntrack = conntrackGet(tuple);
  // the entry is the probe's own: it goes with the tables
  if (conntrack) conntrackDelete(tuple);
  const result = analyseProbe({ ...evidence, ...(sendError === undefined ? {} : { sendError }), events, ruleset, conntrack }, facts);
  return signal === undefined ? result : { ...result, interrupted: signal };
}
