import type { ConntrackEntry } from "../../kernel/index.js";

/** One thing the probe (or a reply to it) met on the host: a netfilter hook it entered, or a rule, policy or return in some table. */
export interface ProbeHop {
  /** "original": the probe itself; "reply": an answer to it (SYN-ACK, RST, ICMP error). */
  readonly direction: "original" | "reply";
  /** "hook": the packet entered a hook (seen first there, by the probe's own chain); else what a table did. */
  readonly kind: "hook" | "rule" | "policy" | "return";
  /** The table's family: inet, ip, ip6, bridge, ... */
  readonly family: string;
  /** The netfilter hook: prerouting, input, forward, output, postrouting. */
  readonly hook: string;
  readonly table?: string;
  readonly chain?: string;
  readonly handle?: number;
  /** The rule as `nft -a list ruleset` printed it before the probe. */
  readonly rule?: string;
  readonly verdict?: string;
  /** kind "hook": devices and the packet as it was there ("tcp 10.89.0.4:61234 -> 10.89.0.5:80 [SYN]"). */
  readonly iif?: string;
  readonly oif?: string;
  readonly packet?: string;
}

/**
 * How the probe ended: "answered" (SYN-ACK or a UDP reply), "refused" (RST
 * or ICMP unreachable), "dropped" (a drop verdict), "no route", "left"
 * (left the host, no answer within the time), "delivered" (to the host
 * itself, no answer), "vanished" (no hook after the last one seen and no
 * nftables verdict: something nftables does not trace), "not sent".
 */
export type ProbeOutcome = "answered" | "refused" | "dropped" | "no route" | "left" | "delivered" | "vanished" | "not sent";

export interface ProbeResult {
  /** "tcp 10.89.0.4:61234 -> 198.51.100.2:80 (SYN, sequence 0x1a2b3c4d)". */
  readonly probe: string;
  readonly from: string;
  readonly hops: readonly ProbeHop[];
  /** The flow's conntrack entry on the host after the probe (then deleted), if any. */
  readonly conntrack?: ConntrackEntry;
  /** What conntrack says NAT did: "DNAT to 10.89.0.5:80; SNAT to 10.89.0.1:61234", or "none". */
  readonly nat: string;
  readonly outcome: ProbeOutcome;
  /** Where the packet was last seen, in words. */
  readonly lastSeen: string;
  /** The answer, if one came: "SYN-ACK from 10.89.0.5:80". */
  readonly reply?: string;
  readonly fix?: string;
  /** The probe reached the far end (or, for UDP without an answer, left the host toward it). */
  readonly reachable: boolean;
  readonly timeoutMs: number;
  /** The signal (SIGINT, SIGTERM, SIGHUP) that ended the wait early; the result is what was seen until then. */
  readonly interrupted?: string;
}
