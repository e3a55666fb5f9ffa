import { test } from "node:test";
import assert from "node:assert/strict";
import { buildProbeSegment } from "./probe-packet.js";
import { parseIpv4 } from "../model/ipv4.js";

/** The one's complement sum over pseudo-header and segment: 0xffff when the checksum in it is right. */
function verify(src: string, dst: string, proto: number, seg: Buffer): number {
  const pseudo = Buffer.alloc(12);
  pseudo.writeUInt32BE(parseIpv4(src), 0);
  pseudo.writeUInt32BE(parseIpv4(dst), 4);
  pseudo.writeUInt8(proto, 9);
  pseudo.writeUInt16BE(seg.length, 10);
  const b = Buffer.concat([pseudo, seg, Buffer.alloc(seg.length % 2)]);
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

test("buildProbeSegment(): a TCP SYN whose sequence number is the cookie, with a valid checksum", () => {
  const p = { proto: "tcp", src: "10.89.0.4", dst: "198.51.100.2", sport: 61234, dport: 80, cookie: 0xdeadbeef } as const;
  const seg = buildProbeSegment(p);
  assert.equal(seg.length, 20);
  assert.equal(seg.readUInt16BE(0), 61234);
  assert.equal(seg.readUInt16BE(2), 80);
  assert.equal(seg.readUInt32BE(4), 0xdeadbeef);
  assert.equal(seg.readUInt8(13), 0x02, "SYN alone");
  assert.equal(verify(p.src, p.dst, 6, seg), 0xffff);
});

test("buildProbeSegment(): a UDP datagram that starts with the cookie, with a valid checksum", () => {
  const p = { proto: "udp", src: "127.0.0.1", dst: "127.0.0.1", sport: 65000, dport: 53, cookie: 7 } as const;
  const seg = buildProbeSegment(p);
  assert.equal(seg.readUInt16BE(4), seg.length);
  assert.equal(seg.readUInt32BE(8), 7);
  assert.equal(seg.subarray(12).toString("ascii"), "berth-probe");
  assert.equal(verify(p.src, p.dst, 17, seg), 0xffff);
});
