import { test } from "node:test";
import assert from "node:assert/strict";
import { cidr6Overlaps, formatCidr6, formatIpv6, parseCidr6, parseIpv6, tryParseIpv6 } from "./ipv6.js";
import { familyOf, hostPort } from "./ip.js";
import { BerthError } from "../errors.js";

test("tryParseIpv6() reads every RFC 4291 text form and formatIpv6() writes RFC 5952", () => {
  const cases: [string, string][] = [
    ["::", "::"],
    ["::1", "::1"],
    ["FD00:89:0:0:0:0:0:5", "fd00:89::5"],
    ["fd00:0089::0005", "fd00:89::5"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["2001:db8:1:1:1:1:1:0", "2001:db8:1:1:1:1:1:0"],
    ["2001:0:0:1::1", "2001:0:0:1::1"],
    ["::ffff:10.1.2.3", "::ffff:a01:203"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
  ];
  for (const [text, canonical] of cases) assert.equal(formatIpv6(parseIpv6(text)), canonical, text);
});

test("tryParseIpv6() refuses what is not an IPv6 address, zones included", () => {
  for (const bad of [
    "",
    ":",
    ":::",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "12345::",
    "g::1",
    "fe80::1%eth0",
    "10.0.0.1",
    "::1.2.3",
    "::256.0.0.1",
    " ::1",
    "1:2:3:4:5:6:7::8:9",
  ]) {
    assert.equal(tryParseIpv6(bad), undefined, bad);
  }
  assert.throws(
    () => parseIpv6("nope", "gateway"),
    (e: unknown) => e instanceof BerthError && e.code === "INVALID_ADDRESS" && /IPv6 gateway "nope"/.test(e.message),
  );
});

test("parseCidr6() clears host bits and refuses bad prefixes", () => {
  assert.equal(formatCidr6(parseCidr6("fd00:89:1::17/64")), "fd00:89:1::/64");
  assert.equal(formatCidr6(parseCidr6("::/0")), "::/0");
  for (const bad of ["fd00::/129", "fd00::", "fd00::/064", "fd00::/-1", "10.0.0.0/8"]) {
    assert.throws(
      () => parseCidr6(bad),
      (e: unknown) => e instanceof BerthError && e.code === "INVALID_SUBNET",
      bad,
    );
  }
});

test("cidr6Overlaps() compares on the shorter prefix", () => {
  assert.equal(cidr6Overlaps(parseCidr6("fd00:89::/48"), parseCidr6("fd00:89:0:5::/64")), true);
  assert.equal(cidr6Overlaps(parseCidr6("fd00:89:1::/64"), parseCidr6("fd00:89:2::/64")), false);
});

test("familyOf() and hostPort() tell and write the families apart", () => {
  assert.equal(familyOf("10.89.0.0/24"), 4);
  assert.equal(familyOf("fd00::/64"), 6);
  assert.equal(familyOf("fd00::1"), 6);
  assert.equal(familyOf("banana"), undefined);
  assert.equal(hostPort("::", 8080), "[::]:8080");
  assert.equal(hostPort("0.0.0.0", 8080), "0.0.0.0:8080");
});
