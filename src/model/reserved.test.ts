import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCidr4 } from "./ipv4.js";
import { parseCidr6 } from "./ipv6.js";
import { requireUnreserved4, requireUnreserved6, reservedOverlap4, reservedOverlap6 } from "./reserved.js";

test("requireUnreserved4() refuses subnets in or around 0/8, 127/8, 169.254/16, 224/4 and 240/4, with what the range is and what to use", () => {
  const cases: [string, RegExp][] = [
    ["0.0.0.0/8", /"this network"/],
    ["0.0.0.0/0", /"this network"/],
    ["127.0.0.0/24", /loopback/],
    ["127.255.0.0/16", /loopback/],
    ["126.0.0.0/7", /loopback/],
    ["169.254.169.0/24", /link-local .*169\.254\.169\.254/],
    ["224.0.0.0/24", /multicast/],
    ["239.255.0.0/16", /multicast/],
    ["240.0.0.0/24", /reserved/],
    ["255.255.255.0/30", /reserved/],
  ];
  for (const [text, what] of cases) {
    assert.throws(
      () => requireUnreserved4(parseCidr4(text)),
      (e: unknown) => {
        const err = e as { code?: string; message?: string; hint?: string };
        return err.code === "INVALID_SUBNET" && what.test(err.message ?? "") && /private range/.test(err.hint ?? "");
      },
      text,
    );
  }
  assert.throws(() => requireUnreserved4(parseCidr4("0.0.0.0/0"), "Cluster CIDR"), /Cluster CIDR 0\.0\.0\.0\/0 overlaps/);
});

test("requireUnreserved4() keeps private, shared and public ranges next to the reserved ones", () => {
  for (const ok of [
    "10.88.0.0/16",
    "172.16.0.0/12",
    "192.168.1.0/24",
    "100.64.0.0/10",
    "1.0.0.0/8",
    "128.0.0.0/8",
    "169.253.0.0/16",
    "169.255.0.0/16",
    "223.255.255.0/24",
    "10.0.0.0/8",
  ]) {
    assert.equal(reservedOverlap4(parseCidr4(ok)), undefined, ok);
    assert.doesNotThrow(() => requireUnreserved4(parseCidr4(ok)), ok);
  }
});

test("requireUnreserved6() refuses ::, ::1, IPv4-compatible and -mapped, discard-only, link-local, site-local and multicast prefixes, and ::/0", () => {
  const cases: [string, RegExp][] = [
    ["::/128", /unspecified/],
    ["::1/128", /unspecified|loopback/],
    ["::/0", /unspecified/],
    ["::ffff:0:0/96", /IPv4-mapped/],
    ["::ffff:10.0.0.0/120", /IPv4-mapped/],
    ["::a00:0/120", /IPv4-compatible/],
    ["100::/64", /discard-only/],
    ["fe80::/64", /link-local/],
    ["febf::/64", /link-local/],
    ["fec0::/64", /site-local/],
    ["ff02::/64", /multicast/],
  ];
  for (const [text, what] of cases) {
    assert.throws(
      () => requireUnreserved6(parseCidr6(text)),
      (e: unknown) => {
        const err = e as { code?: string; message?: string; hint?: string };
        return err.code === "INVALID_SUBNET" && what.test(err.message ?? "") && /fd00::\/8/.test(err.hint ?? "");
      },
      text,
    );
  }
});

test("requireUnreserved6() keeps unique local, documentation and global prefixes", () => {
  for (const ok of ["fd00:89:1::/64", "fc00::/7", "2001:db8:100::/64", "2a01:4f8::/32", "64:ff9b::/96", "fe00::/9"]) {
    assert.equal(reservedOverlap6(parseCidr6(ok)), undefined, ok);
  }
});
