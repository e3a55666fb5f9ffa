import { test } from "node:test";
import assert from "node:assert/strict";
import dnsPacket from "dns-packet";
import { name } from "./name.js";
import { header } from "./header.js";
import { question } from "./question.js";
import { compressedA } from "./a-record.js";
import { WireFormatError } from "./codec.js";
import { testEncoder } from "./test-encoder.js";

/** dns-packet's name codec (exported at run time, missing from its type declarations). */
const dp = dnsPacket as unknown as { name: { encode(n: string): Buffer; decode(b: Buffer, offset?: number): string } };

test("name codec round-trips and matches dns-packet's bytes", () => {
  for (const n of ["web", "Web.DNS.berth", "a.b.c.d.e", "x".repeat(63) + ".com"]) {
    testEncoder(name, n);
    assert.deepEqual(name.encode(n), dp.name.encode(n), n);
    assert.equal(name.decode(dp.name.encode(n)).value, dp.name.decode(dp.name.encode(n)));
  }
  testEncoder(name, ".");
  testEncoder(name, "example.com.", "example.com");
});

test("name codec golden bytes", () => {
  assert.deepEqual(name.encode("db.dns.berth"), Buffer.from("02646203646e7305626572746800", "hex"));
  assert.deepEqual(name.encode("."), Buffer.from([0]));
});

test("name.decode() follows backward compression pointers and counts only the bytes up to the pointer", () => {
  // offset 0: "berth" ; offset 7: "dns" + pointer to 0
  const buf = Buffer.from("05626572746800" + "03646e73c000", "hex");
  assert.deepEqual(name.decode(buf, 7), { value: "dns.berth", length: 6 });
});

test("name.decode() rejects forward pointers, loops, truncation, long names and reserved label types", () => {
  const bad: [string, string][] = [
    ["c000", "pointer to itself"],
    ["03616263c004" + "c000", "forward pointer"],
    ["0361", "label past the end"],
    ["03616263", "no terminating zero"],
    ["c0", "cut-off pointer"],
    ["4000", "extended label type 01"],
    ["8000", "label type 10"],
    [("3f" + "61".repeat(63)).repeat(4) + "00", "name of 257 bytes"],
  ];
  for (const [hex, why] of bad) assert.throws(() => name.decode(Buffer.from(hex, "hex")), WireFormatError, why);
  // a loop through two pointers, each pointing back
  const loop = Buffer.from("0161c0020162c000", "hex");
  assert.throws(() => name.decode(loop, 4), WireFormatError, "pointer loop");
  assert.doesNotThrow(() => name.decode(Buffer.from(("3f" + "61".repeat(63)).repeat(3) + "3d" + "61".repeat(61) + "00", "hex")), "255 bytes is fine");
});

test("name.encode() refuses empty or over-long labels and names", () => {
  assert.throws(() => name.encode("a..b"), RangeError);
  assert.throws(() => name.encode("x".repeat(64)), RangeError);
  assert.throws(() => name.encode(Array(5).fill("x".repeat(63)).join(".")), RangeError);
});

test("header codec round-trips and matches dns-packet's header bytes", () => {
  const h = { id: 0xbeef, flags: 0x0100, qdcount: 1, ancount: 0, nscount: 0, arcount: 1 };
  testEncoder(header, h);
  const viaDnsPacket = dnsPacket.encode({
    id: 0xbeef,
    type: "query",
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: "A", name: "x" }],
    additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  assert.deepEqual(header.encode(h), viaDnsPacket.subarray(0, 12));
  assert.throws(() => header.decode(Buffer.alloc(11)), WireFormatError);
});

test("question codec round-trips and matches dns-packet", () => {
  const q = { name: "Web.dns.berth", type: 1, class: 1 };
  testEncoder(question, q);
  const packet = dnsPacket.encode({ id: 0, type: "query", questions: [{ name: "Web.dns.berth", type: "A", class: "IN" }] });
  assert.deepEqual(question.encode(q), packet.subarray(12));
  assert.throws(() => question.decode(Buffer.from("0378797a0000", "hex")), WireFormatError, "type/class cut off");
});

test("compressedA codec: golden bytes, round trip, and dns-packet reads it", () => {
  const r = { nameOffset: 12, ttl: 0, ip: 0x0a590203 };
  testEncoder(compressedA, r);
  assert.deepEqual(compressedA.encode(r), Buffer.from("c00c00010001000000000004" + "0a590203", "hex"));
  assert.throws(() => compressedA.decode(Buffer.from("000c0001000100000000000400000000", "hex")), WireFormatError);
});
