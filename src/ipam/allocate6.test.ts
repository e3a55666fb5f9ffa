import { test } from "node:test";
import assert from "node:assert/strict";
import { allocateNext6, checkStaticIp6 } from "./allocate6.js";
import { pickFreeSubnet6 } from "./subnet-picker6.js";
import { formatCidr6, formatIpv6, parseCidr6, parseIpv6 } from "../model/ipv6.js";
import { BerthError } from "../errors.js";

const pool = { subnet: parseCidr6("fd00:89:1::/64"), gateway: parseIpv6("fd00:89:1::1") };

test("allocateNext6() counts up from ::2, skipping the gateway and used addresses, round-robin", () => {
  const used = new Set<bigint>();
  const a = allocateNext6(pool, undefined, (ip) => used.has(ip), "n");
  assert.equal(formatIpv6(a), "fd00:89:1::2");
  used.add(a);
  const b = allocateNext6(pool, a, (ip) => used.has(ip), "n");
  assert.equal(formatIpv6(b), "fd00:89:1::3");
  used.delete(a);
  assert.equal(formatIpv6(allocateNext6(pool, b, (ip) => used.has(ip), "n")), "fd00:89:1::4", "a released address is not reused at once");
});

test("allocateNext6() wraps around in a small subnet and fails with SUBNET_FULL when it is full", () => {
  const small = { subnet: parseCidr6("fd00::/126"), gateway: parseIpv6("fd00::1") };
  assert.equal(formatIpv6(allocateNext6(small, parseIpv6("fd00::3"), () => false, "n")), "fd00::2");
  assert.throws(
    () => allocateNext6(small, undefined, () => true, "tiny"),
    (e: unknown) => e instanceof BerthError && e.code === "SUBNET_FULL" && /network "tiny"/.test(e.message),
  );
});

test("checkStaticIp6() refuses addresses outside the subnet, the anycast address, the gateway and taken ones", () => {
  const codes: [string, string | undefined, string][] = [
    ["fd00:89:2::5", undefined, "ADDRESS_OUTSIDE_SUBNET"],
    ["fd00:89:1::", undefined, "INVALID_ADDRESS"],
    ["fd00:89:1::1", undefined, "ADDRESS_IN_USE"],
    ["fd00:89:1::7", "web", "ADDRESS_IN_USE"],
  ];
  for (const [ip, holder, code] of codes) {
    assert.throws(
      () => checkStaticIp6(pool, parseIpv6(ip), "n", holder),
      (e: unknown) => e instanceof BerthError && e.code === code,
      ip,
    );
  }
  checkStaticIp6(pool, parseIpv6("fd00:89:1::7"), "n", undefined);
});

test("pickFreeSubnet6() picks a unique local /64 with a random global id and skips taken ones", () => {
  const ids = [Buffer.from("0000000001", "hex"), Buffer.from("0000000002", "hex")];
  let i = 0;
  const random = () => ids[i++] ?? Buffer.alloc(5);
  const taken = [parseCidr6("fd00:0:1::/48")];
  assert.equal(formatCidr6(pickFreeSubnet6(taken, random)), "fd00:0:2::/64");
  const real = pickFreeSubnet6([]);
  assert.equal(real.prefix, 64);
  assert.equal(real.addr >> 120n, 0xfdn);
});
