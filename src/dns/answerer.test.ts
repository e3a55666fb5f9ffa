import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
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
  assert.deepEqual(reply.answers?.map((x) => [x.name, (x as { data?: unknown }).data]), [["WWW.dns.berth", "10.89.3.2"]]);
  // the slow path too (PTR goes through dns-packet)
  const ptr = makeQuery("2.3.89.10.in-addr.arpa", "PTR", 78);
  const m = a.answerInto(inSlot(ptr), ptr.length, CLIENT, GATEWAY, "udp", out);
  assert.deepEqual(dnsPacket.decode(out.subarray(0, m)).answers?.map((x) => (x as { data?: unknown }).data), ["web.dns.berth", "www.dns.berth"]);
  const other = makeQuery("example.com");
  assert.equal(a.answerInto(inSlot(other), other.length, CLIENT, GATEWAY, "udp", out), FORWARD);
  assert.equal((dnsPacket.decode(a.servfail()) as { rcode?: string }).rcode, "SERVFAIL");
  const response = Buffer.from(q);
  response[2] = response[2]! | 0x80;
  assert.equal(a.answerInto(inSlot(response), response.length, CLIENT, GATEWAY, "udp", out), DROP);
});

test("LocalAnswerer: a fast-path answer allocates no more than the name it looks up", () => {
  const a = new LocalAnswerer({ zone: new Zone(sampleZone()) });
  const queries = ["web", "www", "client", "web.dns.berth"].map((name, i) => {
    const q = makeQuery(name, "A", i);
    return { slot: inSlot(q), n: q.length };
  });
  const out = Buffer.alloc(2048);
  const answer = (count: number) => {
    for (let i = 0; i < count; i++) {
      const q = queries[i & 3]!;
      a.answerInto(q.slot, q.n, CLIENT, GATEWAY, "udp", out);
    }
  };
  answer(200_000); // optimized code, as in a busy resolver
  const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;
  // bytes per answer over 5,000 answers; a scavenge in between makes a sample negative: take the least of several
  const perAnswer: number[] = [];
  for (let round = 0; round < 20; round++) {
    const before = newSpace();
    answer(5000);
    const grown = newSpace() - before;
    if (grown >= 0) perAnswer.push(grown / 5000);
  }
  assert.ok(perAnswer.length > 0, "every sample saw a scavenge");
  const least = Math.min(...perAnswer);
  // the name ("web.dns.berth") is a ~32-byte string; a Buffer view or a record object per answer is ~100 bytes more
  assert.ok(least < 64, `${least.toFixed(1)} bytes allocated per answer (samples: ${perAnswer.map((x) => x.toFixed(0)).join(" ")})`);
});
