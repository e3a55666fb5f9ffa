// One conntrack entry, looked up (and deleted) by its original tuple over
// ctnetlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK).
// Constants as in <linux/netfilter/nfnetlink_conntrack.h>.
import { AF_INET, NETLINK_NETFILTER } from "./libc.js";
import { NetlinkSocket } from "./socket.js";
import { attr, decodeAttrs, encodeAttrs, readIpv4, readU8, type Attr } from "./nl/attrs.js";
import { KernelError } from "../errors.js";

const NFNL_SUBSYS_CTNETLINK = 1;
const IPCTNL_MSG_CT_GET = 1;
const IPCTNL_MSG_CT_DELETE = 2;
const CTA_TUPLE_ORIG = 1;
const CTA_TUPLE_REPLY = 2;
const CTA_STATUS = 3;
const CTA_PROTOINFO = 4;
const CTA_TIMEOUT = 7;
const CTA_MARK = 8;
const CTA_TUPLE_IP = 1;
const CTA_TUPLE_PROTO = 2;
const CTA_IP_V4_SRC = 1;
const CTA_IP_V4_DST = 2;
const CTA_PROTO_NUM = 1;
const CTA_PROTO_SRC_PORT = 2;
const CTA_PROTO_DST_PORT = 3;
const CTA_PROTOINFO_TCP = 1;
const CTA_PROTOINFO_TCP_STATE = 1;
const ENOENT = 2;

const PROTO_NUM = { tcp: 6, udp: 17 } as const;
const STATUS_BITS: readonly [number, string][] = [
  [1 << 1, "SEEN_REPLY"],
  [1 << 2, "ASSURED"],
  [1 << 3, "CONFIRMED"],
  [1 << 4, "SRC_NAT"],
  [1 << 5, "DST_NAT"],
];
const TCP_STATE = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"];

/** An IPv4 flow's addresses and ports in one direction. */
export interface FlowTuple {
  readonly proto: "tcp" | "udp";
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** What conntrack holds for a flow: both directions (NAT shows as a reply tuple that is not the original's mirror), status, state. */
export interface ConntrackEntry {
  readonly original: FlowTuple;
  readonly reply: FlowTuple;
  /** SEEN_REPLY, ASSURED, CONFIRMED, SRC_NAT, DST_NAT (those set). */
  readonly status: readonly string[];
  /** TCP state: SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE, ... */
  readonly tcpState?: string;
  readonly timeoutSeconds?: number;
  readonly mark?: number;
}

function be16(type: number, v: number): Attr {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return { type, data: b };
}

function tupleAttr(type: number, t: FlowTuple): Attr {
  return attr.nested(type, [
    attr.nested(CTA_TUPLE_IP, [attr.ipv4(CTA_IP_V4_SRC, t.src), attr.ipv4(CTA_IP_V4_DST, t.dst)]),
    attr.nested(CTA_TUPLE_PROTO, [attr.u8(CTA_PROTO_NUM, PROTO_NUM[t.proto]), be16(CTA_PROTO_SRC_PORT, t.sport), be16(CTA_PROTO_DST_PORT, t.dport)]),
  ]);
}

function decodeTuple(b: Buffer | undefined, proto: "tcp" | "udp"): FlowTuple | undefined {
  if (!b) return undefined;
  const t = decodeAttrs(b);
  const ip = t.get(CTA_TUPLE_IP);
  const p = t.get(CTA_TUPLE_PROTO);
  if (!ip || !p) return undefined;
  const ipa = decodeAttrs(ip);
  const pa = decodeAttrs(p);
  const src = readIpv4(ipa.get(CTA_IP_V4_SRC));
  const dst = readIpv4(ipa.get(CTA_IP_V4_DST));
  const sport = pa.get(CTA_PROTO_SRC_PORT)?.readUInt16BE(0);
  const dport = pa.get(CTA_PROTO_DST_PORT)?.readUInt16BE(0);
  if (src === undefined || dst === undefined || sport === undefined || dport === undefined) return undefined;
  return { proto, src, dst, sport, dport };
}

/** Decode the body of an IPCTNL_MSG_CT_NEW message (nfgenmsg + attributes). */
export function decodeConntrackEntry(body: Buffer, proto: "tcp" | "udp"): ConntrackEntry | undefined {
  const a = decodeAttrs(body, 4);
  const original = decodeTuple(a.get(CTA_TUPLE_ORIG), proto);
  const reply = decodeTuple(a.get(CTA_TUPLE_REPLY), proto);
  if (!original || !reply) return undefined;
  const statusBits = a.get(CTA_STATUS)?.readUInt32BE(0) ?? 0;
  const info = a.get(CTA_PROTOINFO);
  const tcp = info ? decodeAttrs(info).get(CTA_PROTOINFO_TCP) : undefined;
  const state = tcp ? readU8(decodeAttrs(tcp).get(CTA_PROTOINFO_TCP_STATE)) : undefined;
  const entry: { -readonly [K in keyof ConntrackEntry]: ConntrackEntry[K] } = {
    original,
    reply,
    status: STATUS_BITS.filter(([bit]) => statusBits & bit).map(([, n]) => n),
  };
  if (state !== undefined) entry.tcpState = TCP_STATE[state] ?? `state ${state}`;
  const timeout = a.get(CTA_TIMEOUT);
  if (timeout) entry.timeoutSeconds = timeout.readUInt32BE(0);
  const mark = a.get(CTA_MARK);
  if (mark) entry.mark = mark.readUInt32BE(0);
  return entry;
}

function nfgenmsg(): Buffer {
  return Buffer.from([AF_INET, 0, 0, 0]);
}

/** The caller's namespace's conntrack entry whose original tuple is `t`, or undefined. Equivalent to: conntrack -G -p PROTO -s SRC -d DST --sport P --dport P */
export function conntrackGet(t: FlowTuple): ConntrackEntry | undefined {
  const sock = new NetlinkSocket(NETLINK_NETFILTER);
  try {
    let entry: ConntrackEntry | undefined;
    const f = sock.tryRequestReply((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, nfgenmsg(), encodeAttrs([tupleAttr(CTA_TUPLE_ORIG, t)]), (body) => {
      entry ??= decodeConntrackEntry(body, t.proto);
    });
    if (f && f.errno !== ENOENT) throw new KernelError("read conntrack entry", f.errno, f.extack === undefined ? {} : { extack: f.extack });
    return f ? undefined : entry;
  } finally {
    sock.close();
  }
}

/** Delete that entry; false when there is none. Equivalent to: conntrack -D ... */
export function conntrackDelete(t: FlowTuple): boolean {
  const sock = new NetlinkSocket(NETLINK_NETFILTER);
  try {
    const f = sock.tryRequest((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, 0, nfgenmsg(), encodeAttrs([tupleAttr(CTA_TUPLE_ORIG, t)]));
    if (f && f.errno !== ENOENT) throw new KernelError("delete conntrack entry", f.errno, f.extack === undefined ? {} : { extack: f.extack });
    return f === undefined;
  } finally {
    sock.close();
  }
}
