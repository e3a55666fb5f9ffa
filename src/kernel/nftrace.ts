// nftables trace events: what the kernel multicasts to NFNLGRP_NFTRACE for
// every base chain and rule a packet with `meta nftrace set 1` passes.
// Constants as in <linux/netfilter/nfnetlink.h> and <linux/netfilter/nf_tables.h>.
import { NETLINK_NETFILTER } from "./libc.js";
import { NetlinkSocket } from "./socket.js";
import { decodeAttrs, readStr } from "./nl/attrs.js";
import { decodePacketHeaders, type PacketHeaders } from "./packet-headers.js";

export const NFNL_SUBSYS_NFTABLES = 10;
export const NFT_MSG_TRACE = 17;
export const NFNLGRP_NFTRACE = 9;

const NFTA_TRACE_TABLE = 1;
const NFTA_TRACE_CHAIN = 2;
const NFTA_TRACE_RULE_HANDLE = 3;
const NFTA_TRACE_TYPE = 4;
const NFTA_TRACE_VERDICT = 5;
const NFTA_TRACE_ID = 6;
const NFTA_TRACE_NETWORK_HEADER = 8;
const NFTA_TRACE_TRANSPORT_HEADER = 9;
const NFTA_TRACE_IIF = 10;
const NFTA_TRACE_OIF = 12;
const NFTA_TRACE_MARK = 14;
const NFTA_TRACE_NFPROTO = 15;
const NFTA_TRACE_POLICY = 16;
const NFTA_VERDICT_CODE = 1;
const NFTA_VERDICT_CHAIN = 2;

/** nfgenmsg.nfgen_family: the table's family. */
const FAMILY: Record<number, string> = { 1: "inet", 2: "ip", 3: "arp", 5: "netdev", 7: "bridge", 10: "ip6" };
const TRACE_TYPE: Record<number, TraceEventType> = { 1: "policy", 2: "return", 3: "rule" };
/** NF_DROP.. and the NFT_* pseudo-verdicts (negative). */
const VERDICT: Record<number, string> = {
  0: "drop",
  1: "accept",
  2: "stolen",
  3: "queue",
  4: "repeat",
  5: "stop",
  [-1]: "continue",
  [-2]: "break",
  [-3]: "jump",
  [-4]: "goto",
  [-5]: "return",
};

export type TraceEventType = "rule" | "policy" | "return";

/** One trace event: a rule that matched, a chain's policy, or a return from a chain. */
export interface TraceEvent {
  /** The kernel's id of the traced packet (one skb). */
  readonly id: number;
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  readonly type: TraceEventType;
  /** The rule's handle (type "rule"). */
  readonly handle?: number;
  /** "accept", "drop", "continue", "jump", ...; with the target chain for jump and goto. */
  readonly verdict?: string;
  readonly verdictChain?: string;
  /** Only in the first event of each chain the packet enters: its devices, mark and headers. */
  readonly iif?: number;
  readonly oif?: number;
  readonly mark?: number;
  /** The packet's family inside an inet or bridge table: 2 (IPv4), 10 (IPv6). */
  readonly nfproto?: number;
  readonly packet?: PacketHeaders;
}

function be32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readUInt32BE(0) : undefined;
}

function verdictName(code: number): string {
  // NF_QUEUE with a queue number in the high bits
  return VERDICT[code] ?? VERDICT[code & 0xff] ?? `verdict ${code}`;
}

/** Decode the body (nfgenmsg + attributes) of an NFT_MSG_TRACE message. */
export function decodeTraceEvent(body: Buffer): TraceEvent | undefined {
  if (body.length < 4) return undefined;
  const family = FAMILY[body.readUInt8(0)] ?? `family ${body.readUInt8(0)}`;
  const a = decodeAttrs(body, 4);
  const type = TRACE_TYPE[be32(a.get(NFTA_TRACE_TYPE)) ?? 0];
  const id = be32(a.get(NFTA_TRACE_ID));
  if (type === undefined || id === undefined) return undefined;
  const handleBuf = a.get(NFTA_TRACE_RULE_HANDLE);
  const v = a.get(NFTA_TRACE_VERDICT);
  const verdict = v ? decodeAttrs(v) : undefined;
  const code = verdict?.get(NFTA_VERDICT_CODE);
  const policy = be32(a.get(NFTA_TRACE_POLICY));
  const net = a.get(NFTA_TRACE_NETWORK_HEADER);
  const nfproto = be32(a.get(NFTA_TRACE_NFPROTO));
  const optional = {
    handle: handleBuf && handleBuf.length >= 8 ? Number(handleBuf.readBigUInt64BE(0)) : undefined,
    verdict: code && code.length >= 4 ? verdictName(code.readInt32BE(0)) : policy !== undefined ? verdictName(policy) : undefined,
    verdictChain: readStr(verdict?.get(NFTA_VERDICT_CHAIN)),
    iif: be32(a.get(NFTA_TRACE_IIF)),
    oif: be32(a.get(NFTA_TRACE_OIF)),
    mark: be32(a.get(NFTA_TRACE_MARK)),
    nfproto,
    packet: net ? decodePacketHeaders(net, a.get(NFTA_TRACE_TRANSPORT_HEADER)) : undefined,
  };
  const event: Record<string, unknown> = {
    id,
    family,
    table: readStr(a.get(NFTA_TRACE_TABLE)) ?? "",
    chain: readStr(a.get(NFTA_TRACE_CHAIN)) ?? "",
    type,
  };
  for (const [k, val] of Object.entries(optional)) if (val !== undefined) event[k] = val;
  return event as unknown as TraceEvent;
}

/**
 * A subscription to the kernel's nftables trace events in the caller's
 * network namespace. Subscribed when constructed, so a packet sent after
 * that is seen. Equivalent to: nft monitor trace
 */
export class TraceListener {
  readonly #sock: NetlinkSocket;

  constructor() {
    this.#sock = new NetlinkSocket(NETLINK_NETFILTER);
    try {
      this.#sock.joinGroup(NFNLGRP_NFTRACE);
    } catch (e) {
      this.#sock.close();
      throw e;
    }
  }

  /** The events that arrive within `timeoutMs` (one datagram's worth; [] on timeout). */
  next(timeoutMs: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const m of this.#sock.receiveWithin(timeoutMs)) {
      if (m.type !== ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE)) continue;
      const e = decodeTraceEvent(m.body);
      if (e) out.push(e);
    }
    return out;
  }

  close(): void {
    this.#sock.close();
  }
}
