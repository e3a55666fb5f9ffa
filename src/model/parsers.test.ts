import { test } from "node:test";
import assert from "node:assert/strict";
import { cidrOverlaps, formatCidr4, parseCidr4, tryParseIpv4 } from "./ipv4.js";
import { parseContainerName, parseIfName, parseNetworkName } from "./names.js";
import { parseMac } from "./mac.js";

test("tryParseIpv4() accepts dotted quads and rejects everything else", () => {
  for (const ok of ["0.0.0.0", "10.88.0.1", "255.255.255.255", "192.168.233.128"]) assert.notEqual(tryParseIpv4(ok), undefined, ok);
  for (const bad of [
    "192.168.0.",
    "0x10.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "256.1.1.1",
    "1.2.3.-1",
    " 1.2.3.4",
    "1.2.3.4 ",
    "",
    "a.b.c.d",
    "1e2.1.1.1",
  ]) {
    assert.equal(tryParseIpv4(bad), undefined, JSON.stringify(bad));
  }
});

test("parseCidr4() clears host bits and rejects bad prefixes", () => {
  assert.equal(formatCidr4(parseCidr4("10.1.2.3/24")), "10.1.2.0/24");
  for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0/24", "10.0.0.0/-1"]) {
    assert.throws(() => parseCidr4(bad), /Invalid IPv4 subnet/, bad);
  }
});

test("cidrOverlaps() is symmetric and catches containment", () => {
  const a = parseCidr4("10.88.0.0/16");
  const b = parseCidr4("10.88.5.0/24");
  const c = parseCidr4("10.89.0.0/24");
  assert.equal(cidrOverlaps(a, b), true);
  assert.equal(cidrOverlaps(b, a), true);
  assert.equal(cidrOverlaps(a, c), false);
});

test("names: accept the Podman grammar, refuse metacharacters, paths, newlines and unicode", () => {
  for (const ok of ["web", "my_net", "a.b-c", "0abc"]) {
    assert.equal(parseNetworkName(ok), ok);
    assert.equal(parseContainerName(ok), ok);
  }
  for (const bad of ["", "-x", ".x", "a b", "a/b", "a;rm -rf", "a\nb", "caf\u00e9", "x".repeat(64), "$(id)", "a`b`"]) {
    assert.throws(
      () => parseNetworkName(bad),
      (e: unknown) => (e as { code?: string }).code === "INVALID_NAME",
      JSON.stringify(bad),
    );
  }
  assert.throws(
    () => parseIfName("averyveryverylongname"),
    (e: unknown) => /1-15 characters/.test((e as { hint?: string }).hint ?? ""),
  );
});

test("parseMac() accepts unicast MACs and refuses multicast", () => {
  assert.equal(parseMac("92:D0:C6:0A:29:33"), "92:d0:c6:0a:29:33");
  assert.throws(() => parseMac("01:00:5e:00:00:01"), /multicast/);
  assert.throws(() => parseMac("92:d0:c6:0a:29"), /Invalid MAC/);
});
