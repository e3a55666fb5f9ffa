import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTraceEvent } from "./nftrace.js";
import { attr, encodeAttrs, type Attr } from "./nl/attrs.js";

function be32(type: number, v: number): Attr {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return { type, data: b };
}

function ipv4Header(src: number[], dst: number[], proto: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt8(0x45, 0);
  h.writeUInt8(proto, 9);
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  return h;
}

test("decodeTraceEvent() reads a rule event: table, chain, handle, verdict, devices and the packet's headers", () => {
  const handle = Buffer.alloc(8);
  handle.writeBigUInt64BE(7n);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(61234, 0);
  tcp.writeUInt16BE(80, 2);
  tcp.writeUInt32BE(0x1a2b3c4d, 4);
  tcp.writeUInt8(0x02, 13);
  const body = Buffer.concat([
    Buffer.from([1, 0, 0, 0]), // nfgenmsg: NFPROTO_INET
    encodeAttrs([
      attr.str(1, "admin"),
      attr.str(2, "forward"),
      { type: 3, data: handle },
      be32(4, 3), // NFT_TRACETYPE_RULE
      attr.nested(5, [be32(1, 0)]), // NF_DROP
      be32(6, 0x55aa),
      { type: 8, data: ipv4Header([10, 89, 0, 4], [198, 51, 100, 2], 6) },
      { type: 9, data: tcp },
      be32(10, 5),
      be32(12, 3),
      be32(15, 2),
    ]),
  ]);
  assert.deepEqual(decodeTraceEvent(body), {
    id: 0x55aa,
    family: "inet",
    table: "admin",
    chain: "forward",
    type: "rule",
    handle: 7,
    verdict: "drop",
    iif: 5,
    oif: 3,
    nfproto: 2,
    packet: { saddr: "10.89.0.4", daddr: "198.51.100.2", proto: "tcp", sport: 61234, dport: 80, seq: 0x1a2b3c4d, tcpFlags: "SYN" },
  });
});

test("decodeTraceEvent() reads a policy event (verdict in NFTA_TRACE_POLICY) and a jump's target chain", () => {
  const policy = Buffer.concat([Buffer.from([2, 0, 0, 0]), encodeAttrs([attr.str(1, "filter"), attr.str(2, "FORWARD"), be32(4, 1), be32(6, 9), be32(16, 0)])]);
  assert.deepEqual(decodeTraceEvent(policy), { id: 9, family: "ip", table: "filter", chain: "FORWARD", type: "policy", verdict: "drop" });
  const jump = Buffer.concat([
    Buffer.from([1, 0, 0, 0]),
    encodeAttrs([attr.str(1, "berth"), attr.str(2, "forward"), be32(4, 3), be32(6, 9), attr.nested(5, [be32(1, -3), attr.str(2, "isolation")])]),
  ]);
  assert.equal(decodeTraceEvent(jump)?.verdict, "jump");
  assert.equal(decodeTraceEvent(jump)?.verdictChain, "isolation");
  assert.equal(decodeTraceEvent(Buffer.from([1, 0, 0, 0])), undefined, "no type or id: not an event");
});
