import { test } from "node:test";
import assert from "node:assert/strict";
import { allocateNext, checkStaticIp, poolBounds } from "./allocate.js";
import { pickFreeSubnet } from "./subnet-picker.js";
import { formatIpv4, parseCidr4, parseIpv4 } from "../model/ipv4.js";
import { BerthError } from "../errors.js";

const subnet = parseCidr4("10.89.0.0/24");
const pool = { subnet, range: subnet, gateway: parseIpv4("10.89.0.1") };

test("poolBounds() skips the network and broadcast addresses", () => {
  const b = poolBounds(pool);
  assert.equal(formatIpv4(b.first), "10.89.0.1");
  assert.equal(formatIpv4(b.last), "10.89.0.254");
});

test("allocateNext() skips the gateway and used addresses, then goes round-robin", () => {
  const used = new Set<number>();
  const a = allocateNext(pool, 0, (ip) => used.has(ip), "n");
  assert.equal(formatIpv4(a), "10.89.0.2");
  used.add(a);
  const b = allocateNext(pool, a, (ip) => used.has(ip), "n");
  assert.equal(formatIpv4(b), "10.89.0.3");
  // a released address is not reused immediately: the cursor moves on
  used.delete(a);
  assert.equal(formatIpv4(allocateNext(pool, b, (ip) => used.has(ip), "n")), "10.89.0.4");
});

test("allocateNext() wraps around to free addresses below the cursor", () => {
  const used = new Set([parseIpv4("10.89.0.254")]);
  assert.equal(formatIpv4(allocateNext(pool, parseIpv4("10.89.0.253"), (ip) => used.has(ip), "n")), "10.89.0.2");
});

test("allocateNext() fails with SUBNET_FULL when every address is taken", () => {
  const small = parseCidr4("10.1.0.0/30");
  const p = { subnet: small, range: small, gateway: parseIpv4("10.1.0.1") };
  const a = allocateNext(p, 0, () => false, "tiny");
  assert.equal(formatIpv4(a), "10.1.0.2");
  assert.throws(
    () => allocateNext(p, a, (ip) => ip === a, "tiny"),
    (e: unknown) => e instanceof BerthError && e.code === "SUBNET_FULL" && /network "tiny"/.test(e.message),
  );
});

test("allocateNext() honours --ip-range", () => {
  const p = { subnet, range: parseCidr4("10.89.0.128/25"), gateway: parseIpv4("10.89.0.1") };
  assert.equal(formatIpv4(allocateNext(p, 0, () => false, "n")), "10.89.0.128");
});

test("checkStaticIp() rejects addresses outside the subnet, the gateway, broadcast and taken ones", () => {
  const codes: [string, string | undefined, string][] = [
    ["10.90.0.5", undefined, "ADDRESS_OUTSIDE_SUBNET"],
    ["10.89.0.1", undefined, "ADDRESS_IN_USE"],
    ["10.89.0.255", undefined, "INVALID_ADDRESS"],
    ["10.89.0.0", undefined, "INVALID_ADDRESS"],
    ["10.89.0.7", "web", "ADDRESS_IN_USE"],
  ];
  for (const [ip, holder, code] of codes) {
    assert.throws(
      () => checkStaticIp(pool, parseIpv4(ip), "n", holder),
      (e: unknown) => e instanceof BerthError && e.code === code,
      ip,
    );
  }
  checkStaticIp(pool, parseIpv4("10.89.0.7"), "n", undefined);
});

test("pickFreeSubnet() skips subnets that overlap networks or host routes", () => {
  assert.equal(pickFreeSubnet([]).addr, parseIpv4("10.89.0.0"));
  const taken = [parseCidr4("10.89.0.0/24"), parseCidr4("10.89.1.0/25"), parseCidr4("0.0.0.0/0")];
  assert.equal(formatIpv4(pickFreeSubnet(taken).addr), "10.89.2.0");
  assert.equal(formatIpv4(pickFreeSubnet([parseCidr4("10.89.0.0/16")]).addr), "10.90.0.0");
});
