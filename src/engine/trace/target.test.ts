import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTraceTarget } from "./target.js";

test("parseTraceTarget() reads addresses and container names with ports and protocols", () => {
  assert.deepEqual(parseTraceTarget("127.0.0.1:9090"), { kind: "address", address: "127.0.0.1", port: 9090, proto: "tcp" });
  assert.deepEqual(parseTraceTarget("10.0.0.5:53/udp"), { kind: "address", address: "10.0.0.5", port: 53, proto: "udp" });
  assert.deepEqual(parseTraceTarget("[2001:DB8::0001]:9090/udp"), { kind: "address", address: "2001:db8::1", port: 9090, proto: "udp" });
  assert.deepEqual(parseTraceTarget("db:5432"), { kind: "container", name: "db", port: 5432, proto: "tcp" });
  assert.deepEqual(parseTraceTarget("web"), { kind: "container", name: "web", port: undefined, proto: "tcp" });
});

test("parseTraceTarget() refuses bad targets with the reason and the accepted forms", () => {
  for (const [bad, why] of [
    ["127.0.0.1", /an address needs a port/],
    ["127.0.0.1:0", /outside 1-65535/],
    ["127.0.0.1:70000", /outside 1-65535/],
    ["127.0.0.1:80/sctp", /not tcp or udp/],
    ["1.2.3:80", /not an IPv4 address/],
    [":80", /no address or container name/],
    ["we b:80", /not a container name/],
    ["web:http", /not a port number/],
  ] as const) {
    assert.throws(
      () => parseTraceTarget(bad),
      (e: Error & { hint?: string }) => why.test(e.message) && /HOSTIP:PORT/.test(e.hint ?? ""),
      bad,
    );
  }
});
