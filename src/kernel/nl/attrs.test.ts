import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, decodeAttrs, encodeAttrs, readIpv4, readStr, readU32 } from "./attrs.js";
import { decodeMessages, encodeMessage, ifinfomsg } from "./messages.js";
import { IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MTU, NLA_F_NESTED, RTM_NEWLINK } from "./constants.js";

test("encodeAttrs() pads each attribute to 4 bytes (golden bytes)", () => {
  const b = encodeAttrs([attr.str(IFLA_IFNAME, "eth0"), attr.u32(IFLA_MTU, 1500)]);
  // rta_len=9 ("eth0\0"), type=3, payload, 3 bytes of padding; then rta_len=8, type=4, 1500 little-endian
  assert.equal(b.toString("hex"), "0900030065746830000000000800040" + "0dc050000");
});

test("decodeAttrs() round-trips strings, numbers, addresses and nested attributes", () => {
  const b = encodeAttrs([attr.str(IFLA_IFNAME, "berth0"), attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "bridge")]), attr.ipv4(1, "10.88.0.1")]);
  const a = decodeAttrs(b);
  assert.equal(readStr(a.get(IFLA_IFNAME)), "berth0");
  assert.equal(readStr(decodeAttrs(a.get(IFLA_LINKINFO) ?? Buffer.alloc(0)).get(IFLA_INFO_KIND)), "bridge");
  assert.equal(readIpv4(a.get(1)), "10.88.0.1");
  assert.equal(b.readUInt16LE(12 + 2) & NLA_F_NESTED, NLA_F_NESTED, "nested flag set on the wire");
});

test("decodeAttrs() stops at a truncated or bogus attribute instead of reading past the end", () => {
  const b = encodeAttrs([attr.u32(IFLA_MTU, 9000)]);
  const truncated = b.subarray(0, 6);
  assert.equal(decodeAttrs(truncated).size, 0);
  const bogus = Buffer.from([0x02, 0x00, 0x04, 0x00]);
  assert.equal(decodeAttrs(bogus).size, 0);
  assert.equal(readU32(decodeAttrs(b).get(IFLA_MTU)), 9000);
});

test("encodeMessage() and decodeMessages() agree on the nlmsghdr layout", () => {
  const msg = encodeMessage(RTM_NEWLINK, 0x605, 42, ifinfomsg({ index: 7, flags: 1, change: 1 }), encodeAttrs([attr.str(IFLA_IFNAME, "x")]));
  assert.equal(msg.readUInt32LE(0), msg.length);
  const [m] = decodeMessages(Buffer.concat([msg, msg]));
  assert.equal(m?.type, RTM_NEWLINK);
  assert.equal(m?.flags, 0x605);
  assert.equal(m?.seq, 42);
  assert.equal(m?.body.readInt32LE(4), 7);
  assert.equal(decodeMessages(Buffer.concat([msg, msg])).length, 2);
});
