import { test } from "node:test";
import assert from "node:assert/strict";
import dnsPacket from "dns-packet";
import { newFastQuery, parseFastQuery, Verdict } from "./fast-query.js";
import { encodeFastReply } from "./fast-reply.js";
import { encodeErrorReply } from "./error-reply.js";

const OPT = { type: "OPT" as const, name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

/** An answer's data and ttl (the typings hide them behind a union with OPT). */
const data = (a: dnsPacket.Answer) => (a as { data?: unknown }).data;
const ttl = (a: dnsPacket.Answer) => (a as { ttl?: number }).ttl;
const rcode = (p: dnsPacket.DecodedPacket) => (p as { rcode?: string }).rcode;

function query(name: string, type: dnsPacket.RecordType = "A", extra: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({ id: 0x1234, type: "query", flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }], ...extra });
}

test("parseFastQuery() takes a plain A query: lowercased name, type, class, question end", () => {
  const q = newFastQuery();
  const buf = query("WebServer.DNS.berth");
  assert.equal(parseFastQuery(buf, q), Verdict.Fast);
  assert.equal(q.name, "webserver.dns.berth");
  assert.equal(q.qtype, 1);
  assert.equal(q.qclass, 1);
  assert.equal(q.questionEnd, buf.length);
  assert.equal(q.edns, false);
  assert.equal(q.udpMax, 512);
});

test("parseFastQuery() takes AAAA and an EDNS OPT record, capping the UDP size at 1232", () => {
  const q = newFastQuery();
  assert.equal(parseFastQuery(query("web", "AAAA", { additionals: [OPT] }), q), Verdict.Fast);
  assert.equal(q.qtype, 28);
  assert.equal(q.edns, true);
  assert.equal(q.udpMax, 1232);
  const plain = query("web", "A", { additionals: [OPT] });
  const cookie = Buffer.concat([plain.subarray(0, -2), Buffer.from([0, 12, 0, 10, 0, 8]), Buffer.alloc(8, 7)]); // rdlength 12: one client cookie
  assert.equal(parseFastQuery(cookie, q), Verdict.Fast, "a whole option");
});

test("parseFastQuery() sends everything unusual to the full decoder, and judges the broken", () => {
  const q = newFastQuery();
  const cases: [Buffer, Verdict, string][] = [
    [query("web", "PTR"), Verdict.Other, "PTR"],
    [query("web", "MX"), Verdict.Other, "MX"],
    [query("web", "A", { additionals: [OPT, OPT] }), Verdict.Other, "two additionals"],
    [query("web", "A", { additionals: [{ ...OPT, ednsVersion: 1 }] }), Verdict.Other, "EDNS version 1"],
    [Buffer.concat([query("web"), Buffer.from([0])]), Verdict.Other, "trailing byte"],
    // fuzz counterexample: an OPT whose one byte of rdata is not a whole option (code, length)
    [Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 119, 101, 98, 0, 0, 1, 0, 1, 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 1, 0]), Verdict.Other, "OPT rdata cut"],
    [
      Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 119, 101, 98, 0, 0, 1, 0, 1, 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 5, 0, 10, 0, 2, 1]),
      Verdict.Other,
      "OPT option longer than its rdata",
    ],
    [Buffer.alloc(11), Verdict.Drop, "shorter than a header"],
    [dnsPacket.encode({ id: 1, type: "response", questions: [{ type: "A", name: "web" }] }), Verdict.Drop, "a response"],
    [dnsPacket.encode({ id: 1, type: "query", flags: 2 << 11, questions: [{ type: "A", name: "web" }] }), Verdict.NotImp, "opcode STATUS"],
    [dnsPacket.encode({ id: 1, type: "query", questions: [{ type: "A", name: "web", class: "CH" }] }), Verdict.NotImp, "class CHAOS"],
    [dnsPacket.encode({ id: 1, type: "query", questions: [] }), Verdict.FormErr, "no question"],
    [
      dnsPacket.encode({
        id: 1,
        type: "query",
        questions: [
          { type: "A", name: "a" },
          { type: "A", name: "b" },
        ],
      }),
      Verdict.FormErr,
      "two questions",
    ],
    [query("web").subarray(0, 16), Verdict.FormErr, "truncated question"],
  ];
  for (const [buf, verdict, why] of cases) assert.equal(parseFastQuery(buf, q), verdict, why);
  const compressed = Buffer.concat([query("x").subarray(0, 12), Buffer.from("c00c00010001", "hex")]);
  assert.equal(parseFastQuery(compressed, q), Verdict.Other, "a compressed question name goes to the full decoder");
  const badLabel = Buffer.concat([query("x").subarray(0, 12), Buffer.from("4000", "hex"), Buffer.from("00010001", "hex")]);
  assert.equal(parseFastQuery(badLabel, q), Verdict.FormErr);
});

test("encodeFastReply() golden bytes: header and question echoed, one compressed A record, TTL 0", () => {
  const buf = query("Db");
  const q = newFastQuery();
  parseFastQuery(buf, q);
  const reply = encodeFastReply(buf, q, 0, [0x0a590203], 512);
  assert.equal(
    reply.toString("hex"),
    "1234" + "8580" + "0001" + "0001" + "0000" + "0000" + "024462" + "00" + "0001" + "0001" + "c00c" + "0001" + "0001" + "00000000" + "0004" + "0a590203",
  );
  const decoded = dnsPacket.decode(reply);
  assert.equal(decoded.type, "response");
  assert.equal(decoded.flag_aa, true);
  assert.equal(decoded.flag_rd, true);
  assert.deepEqual(decoded.questions, [{ name: "Db", type: "A", class: "IN" }]);
  assert.deepEqual(
    decoded.answers?.map((a) => [a.name, a.type, ttl(a), data(a)]),
    [["Db", "A", 0, "10.89.2.3"]],
  );
});

test("encodeFastReply() matches what dns-packet builds for the same answer", () => {
  const buf = query("web.dns.berth", "A", { additionals: [OPT] });
  const q = newFastQuery();
  parseFastQuery(buf, q);
  const ours = dnsPacket.decode(encodeFastReply(buf, q, 3, [], 1232));
  assert.equal(rcode(ours), "NXDOMAIN");
  assert.equal(ours.answers?.length, 0);
  assert.equal(ours.additionals?.[0]?.type, "OPT");
  const two = dnsPacket.decode(encodeFastReply(buf, q, 0, [0x01020304, 0x05060708], 1232));
  assert.deepEqual(two.answers?.map(data), ["1.2.3.4", "5.6.7.8"]);
});

test("encodeFastReply() sets TC and drops the answers when they do not fit the client's UDP size", () => {
  const buf = query("many");
  const q = newFastQuery();
  parseFastQuery(buf, q);
  const ips = Array.from({ length: 40 }, (_, i) => i + 1);
  const small = dnsPacket.decode(encodeFastReply(buf, q, 0, ips, 512));
  assert.equal(small.flag_tc, true);
  assert.equal(small.answers?.length, 0);
  assert.equal(dnsPacket.decode(encodeFastReply(buf, q, 0, ips, 65535)).answers?.length, 40);
});

test("encodeErrorReply() echoes id, opcode and RD with the rcode and no sections", () => {
  const buf = dnsPacket.encode({ id: 7, type: "query", flags: (2 << 11) | dnsPacket.RECURSION_DESIRED, questions: [{ type: "A", name: "x" }] });
  assert.equal(encodeErrorReply(buf, 4).toString("hex"), "0007" + "9184" + "0000".repeat(4));
});
