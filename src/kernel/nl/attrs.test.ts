import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, decodeAttrList, decodeAttrs, encodeAttrs, readIpv4, readS32, readStr, readU32, readU8 } from "./attrs.js";
import { NLA_F_NESTED } from "./constants.js";

test("encodeAttrs() pads each attribute to 4 bytes and keeps rta_len unpadded (golden bytes)", () => {
  const b = encodeAttrs([attr.str(3, "br0"), attr.u32(4, 1500), attr.u8(9, 7)]);
  assert.equal(
    b.toString("hex"),
    [
      "0800",
      "0300",
      "62723000", // rta_len 8, IFLA_IFNAME, "br0\0"
      "0800",
      "0400",
      "dc050000", // rta_len 8, IFLA_MTU, 1500 LE
      "0500",
      "0900",
      "07000000", // rta_len 5, type 9, one byte + 3 padding
    ].join(""),
  );
});

test("a nested attribute sets NLA_F_NESTED and decodes back to its children", () => {
  const b = encodeAttrs([attr.nested(18, [attr.str(1, "veth"), attr.nested(2, [attr.bytes(1, Buffer.from([1, 2]))])])]);
  assert.equal(b.readUInt16LE(2), 18 | NLA_F_NESTED);
  const outer = decodeAttrs(b);
  const info = decodeAttrs(outer.get(18) ?? Buffer.alloc(0));
  assert.equal(readStr(info.get(1)), "veth");
  const data = decodeAttrs(info.get(2) ?? Buffer.alloc(0));
  assert.deepEqual([...(data.get(1) ?? [])], [1, 2]);
});

test("attribute round-trip: every builder reads back with its reader", () => {
  const attrs = [attr.str(1, "eth0"), attr.u32(2, 0xfffffffe), attr.s32(3, -5), attr.ipv4(4, "10.88.0.1"), attr.u8(5, 255), attr.bytes(6, Buffer.alloc(0))];
  const back = decodeAttrList(encodeAttrs(attrs));
  assert.deepEqual(
    back.map((a) => a.type),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(readStr(back[0]?.data), "eth0");
  assert.equal(readU32(back[1]?.data), 0xfffffffe);
  assert.equal(readS32(back[2]?.data), -5);
  assert.equal(readIpv4(back[3]?.data), "10.88.0.1");
  assert.equal(readU8(back[4]?.data), 255);
  assert.equal(back[5]?.data.length, 0);
});

test("attr.ipv4() writes network byte order and rejects anything but a dotted quad", () => {
  assert.equal(attr.ipv4(1, "192.168.1.2").data.toString("hex"), "c0a80102");
  for (const bad of ["1.2.3", "1.2.3.256", "01.2.3.4", "a.b.c.d", ""]) {
    assert.throws(() => attr.ipv4(1, bad), { code: "INVALID_ADDRESS" }, bad);
  }
});

test("decodeAttrList() stops at a malformed or truncated header instead of reading past the end", () => {
  const good = encodeAttrs([attr.u32(1, 1)]);
  const truncated = Buffer.concat([good, Buffer.from([0x20, 0x00, 0x02, 0x00, 0x01])]); // claims 32 bytes, has 5
  assert.deepEqual(
    decodeAttrList(truncated).map((a) => a.type),
    [1],
  );
  const zeroLen = Buffer.concat([good, Buffer.from([0x00, 0x00, 0x02, 0x00])]);
  assert.deepEqual(
    decodeAttrList(zeroLen).map((a) => a.type),
    [1],
  );
});

test("readers return undefined for a missing or short payload", () => {
  assert.equal(readU32(undefined), undefined);
  assert.equal(readU32(Buffer.alloc(2)), undefined);
  assert.equal(readIpv4(Buffer.alloc(16)), undefined);
  assert.equal(readStr(Buffer.from("abc")), "abc");
});
