import { test } from "node:test";
import assert from "node:assert/strict";
import dnsPacket from "dns-packet";
import { DROP, FORWARD, LocalAnswerer } from "./answerer.js";
import { makeQuery } from "./testing/dns-client.js";
import { sampleZone } from "./testing/sample-zone.js";
import { Zone } from "./zone.js";

const CLIENT = "10.89.3.3";
const GATEWAY = "10.89.3.1";

/** `query` at the start of a longer buffer, as the UDP thread's receive slots hold it. */
function inSlot(query: Buffer): Buffer {
  const slot = Buffer.alloc(4096, 0xee);
  query.copy(slot);
  return slot;
}

test("LocalAnswerer: answers from the first n bytes of a longer buffer into the caller's buffer, or says DROP / FORWARD", () => {
  const a = new LocalAnswerer({ zone: new Zone(sampleZone()) });
  const out = Buffer.alloc(2048);
  const q = makeQuery("WWW.dns.berth", "A", 77);
  const n = a.answerInto(inSlot(q), q.length, CLIENT, GATEWAY, "udp", out);
  const reply = dnsPacket.decode(out.subarray(0, n));
  assert.equal(reply.id, 77);
  assert.deepEqual(
    reply.answers?.map((x) => [x.name, (x as { data?: unknown }).data]),
    [["WWW.dns.berth", "10.89.3.2"]],
  );
  // the slow path too (PTR goes through dns-packet)
  const ptr = makeQuery("2.3.89.10.in-addr.arpa", "PTR", 78);
  const m = a.answerInto(inSlot(ptr), ptr.length, CLIENT, GATEWAY, "udp", out);
  assert.deepEqual(
    dnsPacket.decode(out.subarray(0, m)).answers?.map((x) => (x as { data?: unknown }).data),
    ["web.dns.berth", "www.dns.berth"],
  );
  const other = makeQuery("example.com");
  assert.equal(a.answerInto(inSlot(other), other.length, CLIENT, GATEWAY, "udp", out), FORWARD);
  assert.equal((dnsPacket.decode(a.servfail()) as { rcode?: string }).rcode, "SERVFAIL");
  const response = Buffer.from(q);
  response[2] = response[2]! | 0x80;
  assert.equal(a.answerInto(inSlot(response), response.length, CLIENT, GATEWAY, "udp", out), DROP);
});
