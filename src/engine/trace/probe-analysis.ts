import type { ConntrackEntry, PacketHeaders, ProbePacket, TraceEvent } from "../../kernel/index.js";
import type { RulesetText } from "../../firewall/index.js";
import type { ProbeHop, ProbeOutcome, ProbeResult } from "./probe-result.js";

/** ICMP destination-unreachable codes (RFC 792, RFC 1812) as words. */
const ICMP_UNREACHABLE: Record<number, string> = {
  0: "network unreachable",
  1: "host unreachable (no neighbour answered)",
  3: "port unreachable (nothing listens)",
  4: "fragmentation needed",
  9: "network administratively prohibited",
  10: "host administratively prohibited",
  13: "communication administratively prohibited (a reject rule)",
};

/** What the host says about the places a probe can vanish, asked only when needed. */
export interface HostFacts {
  /** An interface's name by index (trace events carry indexes). */
  ifname(index: number): string;
  /** The host's route to `address` in its main table ("default via 198.51.100.2 dev vhost0"), or undefined when it has none. */
  routeTo(address: string): string | undefined;
  /** Whether `address` is the host's own (127.0.0.0/8, or an address of one of its interfaces): delivered, not routed. */
  isLocal(address: string): boolean;
  /** net.ipv4.ip_forward. */
  ipForward(): string | undefined;
  /** Drops nftables cannot trace (legacy iptables FORWARD policy DROP), each as a sentence with its fix. */
  untraceableDrops(): readonly string[];
  /** The Berth container that has `address`, with the host end of its veth. */
  containerAt(address: string): { name: string; veth: string } | undefined;
}

/** Everything one probe produced. */
export interface ProbeEvidence {
  readonly packet: ProbePacket;
  readonly from: string;
  /** errno name when the kernel refused to send (ENETUNREACH: no route); undefined when sent. */
  readonly sendError?: string;
  readonly events: readonly TraceEvent[];
  readonly ruleset: RulesetText;
  /** The probe's own tables' name (their events mark hooks, not hops of other tables). */
  readonly ownTable: string;
  readonly conntrack: ConntrackEntry | undefined;
  readonly timeoutMs: number;
}

export function describePacket(p: PacketHeaders): string {
  const port = (a: string, n: number | undefined) => (n === undefined ? a : `${a}:${n}`);
  const extra = p.tcpFlags !== undefined ? ` [${p.tcpFlags}]` : p.icmpType !== undefined ? ` [type ${p.icmpType} code ${p.icmpCode ?? 0}]` : "";
  return `${p.proto} ${port(p.saddr, p.sport)} -> ${port(p.daddr, p.dport)}${extra}`;
}

export function describeProbe(p: ProbePacket): string {
  const cookie = `0x${p.cookie.toString(16).padStart(8, "0")}`;
  return `${p.proto} ${p.src}:${p.sport} -> ${p.dst}:${p.dport} (${p.proto === "tcp" ? `SYN, sequence ${cookie}` : `datagram, cookie ${cookie}`})`;
}

function isProbe(e: TraceEvent, p: ProbePacket): boolean {
  const h = e.packet;
  if (!h || h.proto !== p.proto || h.sport !== p.sport) return false;
  return p.proto === "tcp" ? h.seq === p.cookie : h.cookie === p.cookie;
}

/** NAT as conntrack recorded it: the reply tuple is the original's mirror unless an address or port was rewritten. */
export function describeNat(ct: ConntrackEntry | undefined): string {
  if (!ct) return "no conntrack entry";
  const o = ct.original;
  const r = ct.reply;
  const out: string[] = [];
  if (r.src !== o.dst || r.sport !== o.dport) out.push(`DNAT ${o.dst}:${o.dport} to ${r.src}:${r.sport}`);
  if (r.dst !== o.src || r.dport !== o.sport) out.push(`SNAT ${o.src}:${o.sport} to ${r.dst}:${r.dport}`);
  return out.length > 0 ? out.join("; ") : "none";
}

export function describeConntrack(ct: ConntrackEntry): string {
  const t = (x: ConntrackEntry["original"]) => `${x.src}:${x.sport} -> ${x.dst}:${x.dport}`;
  return `${ct.original.proto}${ct.tcpState ? ` ${ct.tcpState}` : ""} original ${t(ct.original)}, reply ${t(ct.reply)}${ct.status.length > 0 ? ` [${ct.status.join(",")}]` : ""}`;
}

function ruleName(h: ProbeHop): string {
  return `${h.family} ${h.table ?? ""}`;
}

/**
 * Turn the trace events into hops (the probe's and its replies', in the
 * order the kernel reported them) and decide how the probe ended and
 * where it was last seen.
 */
export function analyseProbe(ev: ProbeEvidence, host: HostFacts): ProbeResult {
  const p = ev.packet;
  const base = { probe: describeProbe(p), from: ev.from, timeoutMs: ev.timeoutMs };
  if (ev.sendError !== undefined) {
    const noRoute = ["ENETUNREACH", "EHOSTUNREACH"].includes(ev.sendError);
    return {
      ...base,
      probe: `${p.proto} to ${p.dst}:${p.dport} (not sent)`,
      hops: [],
      nat: "no conntrack entry",
      outcome: noRoute ? "no route" : "not sent",
      lastSeen: noRoute ? `never left ${ev.from}: no route to ${p.dst} there (${ev.sendError})` : `${ev.from} could not send it (${ev.sendError})`,
      fix: noRoute
        ? ev.from === "the host"
          ? `give the host a route to ${p.dst} (see \`ip route\`)`
          : `restore the route in ${ev.from.replace(/^container /, "")}: \`berth system reconcile\` restores a Berth container's default route`
        : "run berth as root (a probe needs CAP_NET_RAW and CAP_NET_ADMIN)",
      reachable: false,
    };
  }

  // which trace ids are the probe, which its replies: the first event of each id says
  const direction = new Map<number, "original" | "reply">();
  const hookOf = new Map<number, { family: string; hook: string }>();
  const hops: ProbeHop[] = [];
  for (const e of ev.events) {
    const own = e.table === ev.ownTable;
    if (!direction.has(e.id)) {
      if (own && isProbe(e, p)) direction.set(e.id, "original");
      else if (own && e.chain.startsWith("reply_")) direction.set(e.id, "reply");
      else continue; // another packet someone else traces
    }
    const dir = direction.get(e.id) ?? "original";
    if (own) {
      if (e.packet === undefined && e.iif === undefined && e.oif === undefined) continue;
      // the reply chains (after conntrack) see the probe too: its hook is already reported
      if (dir === "original" && e.chain.startsWith("reply_")) continue;
      const hook = e.chain.replace(/^reply_/, "");
      hookOf.set(e.id, { family: e.family, hook });
      const hop: { -readonly [K in keyof ProbeHop]: ProbeHop[K] } = { direction: dir, kind: "hook", family: e.family, hook };
      if (e.iif !== undefined) hop.iif = host.ifname(e.iif);
      if (e.oif !== undefined) hop.oif = host.ifname(e.oif);
      if (e.packet) hop.packet = describePacket(e.packet);
      hops.push(hop);
      continue;
    }
    // the end of a chain's rules (no rule: the policy or a return follows)
    if (e.type === "rule" && e.handle === undefined && e.verdict === "continue") continue;
    const chain = ev.ruleset.chain(e.family, e.table, e.chain);
    const at = hookOf.get(e.id) ?? { family: e.family, hook: chain?.hook ?? "?" };
    const hop: { -readonly [K in keyof ProbeHop]: ProbeHop[K] } = {
      direction: dir,
      kind: e.type,
      family: e.family,
      hook: at.hook,
      table: e.table,
      chain: e.chain,
    };
    if (e.handle !== undefined) {
      hop.handle = e.handle;
      const text = ev.ruleset.rule(e.family, e.table, e.chain, e.handle);
      if (text !== undefined) hop.rule = text;
    }
    if (e.verdict !== undefined) hop.verdict = e.verdictChain ? `${e.verdict} ${e.verdictChain}` : e.verdict;
    hops.push(hop);
  }

  const original = hops.filter((h) => h.direction === "original");
  const replies = hops.filter((h) => h.direction === "reply");
  const nat = ev.conntrack ? describeNat(ev.conntrack) : (natFromReply(p, replies) ?? describeNat(undefined));
  const done = (outcome: ProbeOutcome, lastSeen: string, reachable: boolean, extra: { reply?: string; fix?: string } = {}): ProbeResult => ({
    ...base,
    hops,
    ...(ev.conntrack ? { conntrack: ev.conntrack } : {}),
    nat,
    outcome,
    lastSeen,
    ...extra,
    reachable,
  });

  const drop = original.find((h) => h.kind !== "hook" && (h.verdict === "drop" || h.verdict === "stolen"));
  if (drop) {
    const what =
      drop.kind === "policy"
        ? `dropped by the policy of chain ${drop.chain ?? ""} in table ${ruleName(drop)} (hook ${drop.hook})`
        : `${/\breject\b/.test(drop.rule ?? "") ? "rejected" : "dropped"} by rule '${drop.rule ?? "?"}' in table ${ruleName(drop)} chain ${drop.chain ?? ""} (handle ${drop.handle ?? "?"}, hook ${drop.hook})`;
    const fix =
      drop.table === "berth" && (drop.family === "inet" || drop.family === "bridge")
        ? "this is Berth's own rule: see why with `berth trace` without --probe (networks are isolated from each other; a port must be published)"
        : drop.kind === "policy"
          ? `accept the traffic in that chain before its policy applies (\`nft insert rule ${drop.family} ${drop.table ?? ""} ${drop.chain ?? ""} ...accept\`), or ask whoever owns table ${ruleName(drop)}`
          : `remove or narrow that rule (\`nft delete rule ${drop.family} ${drop.table ?? ""} ${drop.chain ?? ""} handle ${drop.handle ?? "?"}\`) if it is not meant for this traffic, or ask whoever owns table ${ruleName(drop)}`;
    return done("dropped", what, false, { fix });
  }

  const answer = replies.find((h) => h.kind === "hook" && h.packet !== undefined)?.packet;
  const hooksSeen = original.filter((h) => h.kind === "hook");
  const lastHook = hooksSeen.at(-1);
  const icmp = /^icmp (\S+) -> \S+ \[type 3 code ([0-9]+)\]$/.exec(answer ?? "");
  const unreachable = icmp ? (ICMP_UNREACHABLE[Number(icmp[2])] ?? `destination unreachable, code ${icmp[2] ?? ""}`) : undefined;
  const lastOriginal = lastOf(original, (h) => h.kind === "hook" && h.family === "inet");
  // the host itself answered "no route": the same as finding the route missing after prerouting
  const routedAway = icmp !== null && ["0", "1"].includes(icmp[2] ?? "") && lastOriginal?.hook === "prerouting";
  if (answer !== undefined && !routedAway) {
    if (/\[SYN,ACK\]/.test(answer) || (p.proto === "udp" && answer.startsWith("udp"))) {
      return done("answered", `${describeDestination(p, hooksSeen, host)}, which answered`, true, { reply: answer });
    }
    if (/\[.*RST.*\]/.test(answer)) {
      return done("refused", `${describeDestination(p, hooksSeen, host)}, where nothing listens on ${p.dport}/${p.proto}: it answered with a reset`, false, {
        reply: answer,
        fix: `start the service on port ${p.dport}, or check the published port (\`berth port --all\`)`,
      });
    }
    return done("refused", `${describeDestination(p, hooksSeen, host)}; ${icmp?.[1] ?? "?"} answered ${unreachable ?? `an error (${answer})`}`, false, {
      reply: answer,
      fix:
        icmp?.[2] === "3"
          ? `start the service on port ${p.dport}/${p.proto} at ${p.dst}`
          : `see what ${icmp?.[1] ?? "the sender"} says: ${unreachable ?? "an ICMP error"} comes from its routes or a reject rule`,
    });
  }
  if (!lastHook) {
    return done("vanished", "no netfilter hook on the host saw it (it never reached the host's namespace)", false, {
      fix: `check the path inside ${ev.from} (its own firewall and routes) with \`berth trace\` without --probe`,
    });
  }
  const lastInet = lastOf(hooksSeen, (h) => h.family === "inet")?.hook;
  if (lastInet === "postrouting") {
    return done(
      "left",
      `${describeDestination(p, hooksSeen, host)}; no answer within ${ev.timeoutMs} ms`,
      p.proto === "udp",
      p.proto === "udp" ? {} : { fix: `nothing answered the SYN: is ${p.dst} up, and does its own firewall accept ${p.dport}/tcp?` },
    );
  }
  if (lastInet === "input") {
    return done("delivered", `${describeDestination(p, hooksSeen, host)}; no answer within ${ev.timeoutMs} ms`, p.proto === "udp");
  }
  const after = `${lastHook.family} hook ${lastHook.hook}${lastHook.iif ? ` (in on ${lastHook.iif})` : ""}`;
  const untraceable = host.untraceableDrops();
  const dst = lastHook.packet?.split(" -> ")[1]?.split(":")[0] ?? p.dst;
  // a packet for the host itself is delivered after prerouting, whatever the routes to elsewhere and ip_forward say
  if (lastHook.hook === "prerouting" && lastHook.family === "inet" && !host.isLocal(dst)) {
    const route = host.routeTo(dst);
    if (route === undefined) {
      return done(
        "no route",
        `last seen in ${after}: the host has no route to ${dst}, so the kernel dropped it there${routedAway ? ` (and answered ${unreachable ?? "ICMP unreachable"})` : ""}`,
        false,
        {
          fix: `give the host a route to ${dst} (e.g. \`ip route add default via ROUTER\`; see \`ip route\`)`,
        },
      );
    }
    if (host.ipForward() !== "1") {
      return done("no route", `last seen in ${after}: net.ipv4.ip_forward is ${host.ipForward() ?? "unreadable"}, so the host does not forward it`, false, {
        fix: "sysctl -w net.ipv4.ip_forward=1",
      });
    }
  }
  return done(
    "vanished",
    `last seen in ${after}; no nftables rule dropped it and no later hook saw it${untraceable.length > 0 ? `: ${untraceable.join("; ")}` : ": something nftables cannot trace dropped it (legacy iptables rules, rp_filter, or a full neighbour table)"}`,
    false,
    {
      fix: untraceable.length > 0 ? "see `berth doctor` (FOREIGN_DROP_POLICY)" : "see `berth doctor`, and `iptables-legacy -S` for rules nftables cannot show",
    },
  );
}

/** "left the host on berth1 (veth bthXXX) toward 10.89.0.5:80 (container web)" or "reached the host itself at ...". */
function describeDestination(p: ProbePacket, hooks: readonly ProbeHop[], host: HostFacts): string {
  const end = lastOf(hooks, (h) => (h.hook === "postrouting" || h.hook === "input") && h.family === "inet");
  const post = end?.hook === "postrouting" ? end : undefined;
  const last = hooks.at(-1);
  const addr = (h: ProbeHop | undefined) => h?.packet?.split(" -> ")[1]?.split(" ")[0] ?? `${p.dst}:${p.dport}`;
  if (!post) {
    const input = lastOf(hooks, (h) => h.hook === "input" && h.family === "inet");
    return `delivered to the host itself at ${addr(input ?? last)}${input?.iif ? ` (in on ${input.iif})` : ""}`;
  }
  const to = addr(post);
  const ctr = host.containerAt(to.split(":")[0] ?? "");
  const port = lastOf(hooks, (h) => h.family === "bridge" && h.oif !== undefined && (h.hook === "postrouting" || h.hook === "output" || h.hook === "forward"));
  const veth = port?.oif ?? ctr?.veth;
  const via = post.oif ?? "?";
  return `left the host on ${via}${veth && veth !== via ? ` (port ${veth})` : ""} toward ${to}${ctr ? ` (container ${ctr.name})` : ""}`;
}

function lastOf<T>(xs: readonly T[], pred: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) {
    const x = xs[i];
    if (x !== undefined && pred(x)) return x;
  }
  return undefined;
}

/** NAT as the first reply shows it (it arrives addressed to what SNAT made of the source, from what DNAT made of the destination), when conntrack already dropped the entry (an unanswered flow reset at once). */
function natFromReply(p: ProbePacket, replies: readonly ProbeHop[]): string | undefined {
  const m = /^(?:tcp|udp) (\S+):([0-9]+) -> (\S+):([0-9]+)/.exec(replies.find((h) => h.kind === "hook" && h.packet !== undefined)?.packet ?? "");
  if (!m) return undefined;
  const [from, fromPort, to, toPort] = [m[1] ?? "", Number(m[2]), m[3] ?? "", Number(m[4])];
  const out: string[] = [];
  if (from !== p.dst || fromPort !== p.dport) out.push(`DNAT ${p.dst}:${p.dport} to ${from}:${fromPort}`);
  if (to !== p.src || toPort !== p.sport) out.push(`SNAT ${p.src}:${p.sport} to ${to}:${toPort}`);
  return `${out.length > 0 ? out.join("; ") : "none"} (as the reply shows; conntrack had already removed the entry)`;
}
