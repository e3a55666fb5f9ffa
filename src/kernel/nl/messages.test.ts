import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, encodeAttrs } from "./attrs.js";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, RTM_NEWADDR, RTM_NEWLINK } from "./constants.js";
import { decodeIfaddrmsg, decodeIfinfomsg, decodeMessages, decodeRtmsg, encodeMessage, ifaddrmsg, ifinfomsg, rtmsg } from "./messages.js";

test("encodeMessage() writes struct nlmsghdr then the fixed struct then attributes (golden bytes)", () => {
  const flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  const m = encodeMessage(RTM_NEWADDR, flags, 7, ifaddrmsg({ family: 2, prefixlen: 24, index: 3 }), encodeAttrs([attr.ipv4(2, "10.0.0.1")]));
  assert.equal(
    m.toString("hex"),
    [
      "20000000",
      "1400",
      "0506",
      "07000000",
      "00000000", // len 32, RTM_NEWADDR, flags 0x605, seq 7, pid 0
      "02",
      "18",
      "00",
      "00",
      "03000000", //                 AF_INET, /24, flags, scope, ifindex 3
      "0800",
      "0200",
      "0a000001", //                         IFA_LOCAL 10.0.0.1
    ].join(""),
  );
});

test("decodeMessages() splits a datagram of several messages and drops a truncated tail", () => {
  const a = encodeMessage(RTM_NEWLINK, 2, 1, ifinfomsg({ index: 1 }), Buffer.alloc(0));
  const b = encodeMessage(RTM_NEWLINK, 2, 1, ifinfomsg({ index: 2 }), encodeAttrs([attr.str(3, "x")]));
  const msgs = decodeMessages(Buffer.concat([a, b, b.subarray(0, 20)]));
  assert.equal(msgs.length, 2);
  assert.deepEqual(
    msgs.map((m) => decodeIfinfomsg(m.body).index),
    [1, 2],
  );
  assert.deepEqual(
    msgs.map((m) => [m.type, m.flags, m.seq]),
    [
      [RTM_NEWLINK, 2, 1],
      [RTM_NEWLINK, 2, 1],
    ],
  );
});

test("struct ifinfomsg round-trips, with the flags as unsigned", () => {
  const b = ifinfomsg({ family: 0, index: 42, flags: 0x80000001, change: 0xffffffff });
  assert.equal(b.toString("hex"), "00000000" + "2a000000" + "01000080" + "ffffffff");
  assert.deepEqual(decodeIfinfomsg(b), { family: 0, type: 0, index: 42, flags: 0x80000001, change: 0xffffffff });
});

test("struct ifaddrmsg and struct rtmsg round-trip", () => {
  assert.deepEqual(decodeIfaddrmsg(ifaddrmsg({ family: 2, prefixlen: 16, flags: 0x80, scope: 253, index: 9 })), {
    family: 2,
    prefixlen: 16,
    flags: 0x80,
    scope: 253,
    index: 9,
  });
  const r = rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 3, scope: 253, type: 1 });
  assert.equal(r.toString("hex"), "021800" + "00" + "fe" + "03" + "fd" + "01" + "00000000");
  assert.deepEqual(decodeRtmsg(r), { family: 2, dstLen: 24, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 253, type: 1, flags: 0 });
});
