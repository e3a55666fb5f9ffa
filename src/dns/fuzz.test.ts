import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import dnsPacket from "dns-packet";
import { Responder, type Reply } from "./responder.js";
import { Forwarder } from "./forwarder.js";
import { Zone } from "./zone.js";
import { sampleZone } from "./testing/sample-zone.js";
import { newFastQuery, parseFastQuery, Verdict } from "./wire/fast-query.js";
import { name as nameCodec } from "./wire/name.js";
import { WireFormatError } from "./wire/codec.js";

const RUNS = Number(process.env["BERTH_FUZZ_RUNS"] ?? 2000);
/** A fixed seed unless BERTH_FUZZ_SEED names one (or `npm run test:stress` asks for new cases), so a red run means the change. */
const SEED = process.env["BERTH_FUZZ_SEED"] ? Number(process.env["BERTH_FUZZ_SEED"]) : process.env["BERTH_STRESS"] === "1" ? Date.now() >>> 0 : 20261206;
const params = { numRuns: RUNS, seed: SEED };
const state = { zone: new Zone(sampleZone()), hostUpstreams: [] as string[], ownAddresses: new Set<string>() };
const fwd = new Forwarder();
const fast = new Responder(state, fwd);
const slow = new Responder(state, fwd, { fastPath: false });

/** A reply is nothing, or a well-formed response to this query: decodable, QR set, same id, a known rcode. */
function checkReply(query: Uint8Array, reply: Reply): void {
  if (reply === undefined) return;
  assert.ok(query.length >= 12, "no reply to a packet shorter than a header");
  const p = dnsPacket.decode(reply);
  assert.equal(p.type, "response");
  assert.equal(p.id, (query[0]! << 8) | query[1]!);
  assert.ok(["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"].includes((p as { rcode?: string }).rcode ?? ""));
  if ((p.questions ?? []).length === 1) nameCodec.decode(reply, 12);
}

async function both(bytes: Uint8Array): Promise<void> {
  const buf = Buffer.from(bytes);
  for (const r of [fast, slow]) {
    for (const proto of ["udp", "tcp"] as const) checkReply(bytes, await r.respond(buf, "10.89.3.3", "10.89.3.1", proto));
  }
}

const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);
const qname = fc.oneof(
  fc.constantFrom("web", "WWW.dns.berth", "db", "aaaaaaaaaaaa", "example.com", "2.3.89.10.in-addr.arpa"),
  fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join(".")),
);
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 65535 }),
    name: qname,
    type: fc.constantFrom<dnsPacket.RecordType>("A", "AAAA", "PTR", "MX", "TXT", "SRV"),
    edns: fc.boolean(),
  })
  .map(
    (q) =>
      new Uint8Array(
        dnsPacket.encode({
          id: q.id,
          type: "query",
          flags: dnsPacket.RECURSION_DESIRED,
          questions: [{ type: q.type, name: q.name, class: "IN" }],
          additionals: q.edns
            ? [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
            : [],
        }),
      ),
  );
/** Flip, overwrite, cut and splice bytes of a valid query. */
const mutated = fc
  .tuple(validQuery, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "cut", "insert")), { minLength: 1, maxLength: 6 }))
  .map(([q, muts]) => {
    let b = Array.from(q);
    for (const [pos, byte, op] of muts) {
      const i = pos % Math.max(b.length, 1);
      if (op === "set") b[i] = byte;
      else if (op === "cut") b = b.slice(0, i);
      else b.splice(i, 0, byte);
    }
    return new Uint8Array(b);
  });

test("fuzz: random bytes never throw; replies are well-formed responses or nothing", async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), both), params);
});

test("fuzz: mutated valid queries never throw; replies are well-formed responses or nothing", async () => {
  await fc.assert(fc.asyncProperty(mutated, both), params);
});

test("fuzz: parseFastQuery() never throws, and what it takes dns-packet reads the same way", () => {
  const q = newFastQuery();
  fc.assert(
    fc.property(fc.oneof(mutated, validQuery, fc.uint8Array({ maxLength: 300 })), (bytes) => {
      const buf = Buffer.from(bytes);
      if (parseFastQuery(buf, q) !== Verdict.Fast) return;
      const p = dnsPacket.decode(buf);
      assert.equal(p.questions?.length, 1);
      // dns-packet reads labels as UTF-8, we as bytes: compare printable ASCII names only
      if (/^[\x20-\x7e]*$/.test(q.name)) assert.equal(p.questions?.[0]?.name.toLowerCase().replace(/^\.$/, ""), q.name);
      assert.equal(p.questions?.[0]?.type, q.qtype === 1 ? "A" : "AAAA");
    }),
    params,
  );
});

test("fuzz: name.decode() only ever throws WireFormatError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, off) => {
      try {
        nameCodec.decode(Buffer.from(bytes), Math.min(off, bytes.length));
      } catch (e) {
        assert.ok(e instanceof WireFormatError, String(e));
      }
    }),
    { ...params, numRuns: RUNS * 2 },
  );
});
