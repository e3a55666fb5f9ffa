import { test } from "node:test";
import assert from "node:assert/strict";
import dnsPacket from "dns-packet";
import { Responder, type Reply } from "./responder.js";
import { Forwarder } from "./forwarder.js";
import { Zone } from "./zone.js";
import type { ResolverState } from "./resolver-state.js";
import { sampleZone } from "./testing/sample-zone.js";
import { makeQuery, summarize } from "./testing/dns-client.js";
import { FakeUpstream } from "./testing/fake-upstream.js";

function responders(hostUpstreams: string[] = []): { fast: Responder; slow: Responder; state: ResolverState } {
  const state: ResolverState = { zone: new Zone(sampleZone()), hostUpstreams, ownAddresses: new Set(["10.89.3.1", "10.89.2.1"]) };
  const fwd = new Forwarder({ failoverMs: 200, lingerMs: 200 });
  return { fast: new Responder(state, fwd), slow: new Responder(state, fwd, { fastPath: false }), state };
}

function sync(r: Reply | Promise<Reply>): Reply {
  assert.ok(!(r instanceof Promise), "a local answer comes back synchronously");
  return r;
}

const CLIENT = "10.89.3.3";
const GW = "10.89.3.1";

test("Responder: fast path and dns-packet path give the same answers", () => {
  const { fast, slow } = responders();
  const cases: [string, dnsPacket.RecordType, { rcode: string; answers: string[] }][] = [
    ["web", "A", { rcode: "NOERROR", answers: ["10.89.3.2"] }],
    ["WWW.dns.berth", "A", { rcode: "NOERROR", answers: ["10.89.3.2"] }],
    ["aaaaaaaaaaaa", "A", { rcode: "NOERROR", answers: ["10.89.3.2"] }],
    ["web", "AAAA", { rcode: "NOERROR", answers: [] }],
    ["db.dns.berth", "A", { rcode: "NXDOMAIN", answers: [] }],
    ["db.dns.berth", "AAAA", { rcode: "NXDOMAIN", answers: [] }],
  ];
  for (const [name, type, want] of cases) {
    const q = makeQuery(name, type, 42);
    const a = summarize(sync(fast.respond(q, CLIENT, GW, "udp")));
    const b = summarize(sync(slow.respond(q, CLIENT, GW, "udp")));
    assert.deepEqual({ rcode: a?.rcode, answers: a?.answers }, want, `fast ${name} ${type}`);
    assert.deepEqual({ rcode: b?.rcode, answers: b?.answers }, want, `slow ${name} ${type}`);
  }
});

test("Responder: PTR, ANY and other types for local names go through dns-packet", () => {
  const { fast } = responders();
  assert.deepEqual(summarize(sync(fast.respond(makeQuery("2.3.89.10.in-addr.arpa", "PTR"), CLIENT, GW, "udp")))?.answers, ["web.dns.berth", "www.dns.berth"]);
  assert.equal(summarize(sync(fast.respond(makeQuery("3.2.89.10.in-addr.arpa", "PTR"), CLIENT, GW, "udp")))?.rcode, "NXDOMAIN");
  assert.deepEqual(summarize(sync(fast.respond(makeQuery("web", "ANY" as dnsPacket.RecordType), CLIENT, GW, "udp")))?.answers, ["10.89.3.2"]);
  assert.deepEqual(summarize(sync(fast.respond(makeQuery("web", "MX"), CLIENT, GW, "udp"))), { rcode: "NOERROR", answers: [], tc: false });
  assert.equal(summarize(sync(fast.respond(makeQuery("web", "AXFR"), CLIENT, GW, "tcp")))?.rcode, "NOTIMP");
});

test("Responder: bad packets get FORMERR or NOTIMP, responses and runts are dropped", () => {
  const { fast, slow } = responders();
  for (const r of [fast, slow]) {
    assert.equal(sync(r.respond(Buffer.alloc(5), CLIENT, GW, "udp")), undefined);
    assert.equal(sync(r.respond(dnsPacket.encode({ id: 1, type: "response", questions: [] }), CLIENT, GW, "udp")), undefined);
    const opcode = dnsPacket.encode({ id: 1, type: "query", flags: 4 << 11, questions: [{ type: "A", name: "web" }] });
    assert.equal(summarize(sync(r.respond(opcode, CLIENT, GW, "udp")))?.rcode, "NOTIMP");
    const chaos = dnsPacket.encode({ id: 1, type: "query", questions: [{ type: "TXT", name: "version.bind", class: "CH" }] });
    assert.equal(summarize(sync(r.respond(chaos, CLIENT, GW, "udp")))?.rcode, "NOTIMP");
    const truncated = makeQuery("web").subarray(0, 15);
    assert.equal(summarize(sync(r.respond(truncated, CLIENT, GW, "udp")))?.rcode, "FORMERR");
    const loop = Buffer.concat([makeQuery("x").subarray(0, 12), Buffer.from("c00c00010001", "hex")]);
    assert.equal(summarize(sync(r.respond(loop, CLIENT, GW, "udp")))?.rcode, "FORMERR", "a compression pointer to itself");
  }
});

test("Responder: a label holding a dot (found by fuzzing) still gets a well-formed reply on both paths", async () => {
  const { fast, slow } = responders();
  // labels "0A-." and "Aa-0", type A, with an OPT record
  const q = Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 4, 48, 65, 45, 46, 4, 65, 97, 45, 48, 0, 0, 1, 0, 1, 0, 0, 41, 0, 4, 208, 0, 0, 0, 0, 0, 0]);
  for (const r of [fast, slow]) assert.equal(summarize(await r.respond(q, CLIENT, GW, "udp"))?.rcode, "SERVFAIL", "forwarded, and no upstream here");
});

test("Responder: a dotted label in a query of another class gets NOTIMP without echoing the name (found by fuzzing)", async () => {
  const { fast, slow } = responders();
  // labels "2", "3", "89", ".0", "in-addr", "arpa"; type A, class 257; an OPT record
  const q = Buffer.from([
    0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 50, 1, 51, 2, 56, 57, 2, 46, 48, 7, 105, 110, 45, 97, 100, 100, 114, 4, 97, 114, 112, 97, 0, 0, 1, 1, 1, 0, 0, 41, 4,
    208, 0, 0, 0, 0, 0, 0,
  ]);
  for (const r of [fast, slow]) {
    for (const proto of ["udp", "tcp"] as const) {
      const reply = await r.respond(q, CLIENT, GW, proto);
      assert.equal(summarize(reply)?.rcode, "NOTIMP");
    }
  }
});

test("Responder forwards other names to the host's upstreams and answers SERVFAIL when none answers", async () => {
  const up = await FakeUpstream.start();
  try {
    const { fast, slow } = responders([up.server]);
    for (const r of [fast, slow]) {
      const reply = await r.respond(makeQuery("example.com"), CLIENT, GW, "udp");
      assert.deepEqual(summarize(reply)?.answers, ["198.51.100.7"]);
    }
    assert.equal(up.seen.udp, 2);
    const tcp = await fast.respond(makeQuery("example.org"), CLIENT, GW, "tcp");
    assert.deepEqual(summarize(tcp)?.answers, ["198.51.100.7"]);
    assert.equal(up.seen.tcp, 1);
  } finally {
    await up.close();
  }
  const { fast } = responders([]);
  const q = makeQuery("example.com", "A", 99);
  const reply = await fast.respond(q, CLIENT, GW, "udp");
  const p = dnsPacket.decode(reply ?? Buffer.alloc(0));
  assert.equal((p as { rcode?: string }).rcode, "SERVFAIL");
  assert.equal(p.id, 99);
  assert.equal(p.questions?.[0]?.name, "example.com", "SERVFAIL echoes the question");
});

test("Responder swaps zones: a query uses the zone current when it arrives", async () => {
  const { fast, state } = responders();
  const before = fast.respond(makeQuery("newbie"), CLIENT, GW, "udp");
  assert.ok(before instanceof Promise, "unknown before the swap: forwarded");
  assert.equal(summarize(await before)?.rcode, "SERVFAIL", "no upstream configured");
  const snap = sampleZone();
  state.zone = new Zone({
    ...snap,
    networks: [
      {
        ...snap.networks[0]!,
        containers: [...snap.networks[0]!.containers, { id: "e".repeat(64), name: "newbie", aliases: [], ipv4: "10.89.3.9", dnsServers: [] }],
      },
    ],
  });
  assert.deepEqual(summarize(sync(fast.respond(makeQuery("newbie"), CLIENT, GW, "udp")))?.answers, ["10.89.3.9"]);
});

test("Responder: a client that is not a container in the zone gets REFUSED, and nothing is forwarded for it", async () => {
  const up = await FakeUpstream.start();
  try {
    const { fast, slow } = responders([up.server]);
    for (const r of [fast, slow]) {
      for (const name of ["web", "example.com"]) {
        for (const client of ["10.89.3.1", "10.89.3.200", "192.0.2.10"]) {
          assert.equal(summarize(await r.respond(makeQuery(name), client, GW, "udp"))?.rcode, "REFUSED", `${name} from ${client}`);
        }
      }
    }
    assert.deepEqual(up.seen, { udp: 0, tcp: 0 });
    assert.equal(summarize(await fast.respond(makeQuery("web"), CLIENT, GW, "udp"))?.rcode, "NOERROR", "a container is still served");
  } finally {
    await up.close();
  }
});

test("Responder: a container on internal networks only gets REFUSED for outside names, on both paths, and nothing is forwarded (issue 19, finding 7)", async () => {
  const up = await FakeUpstream.start();
  try {
    const snap = sampleZone();
    const state: ResolverState = {
      zone: new Zone({ ...snap, networks: snap.networks.map((n) => ({ ...n, internal: true })) }),
      hostUpstreams: [up.server],
      ownAddresses: new Set(["10.89.3.1", "10.89.2.1"]),
    };
    const fwd = new Forwarder({ failoverMs: 200, lingerMs: 200 });
    for (const r of [new Responder(state, fwd), new Responder(state, fwd, { fastPath: false })]) {
      for (const [name, type] of [
        ["example.com", "A"],
        ["example.com", "AAAA"],
        ["example.com", "MX"],
        ["db", "A"],
        ["1.2.0.192.in-addr.arpa", "PTR"],
      ] as const) {
        for (const proto of ["udp", "tcp"] as const) {
          assert.equal(summarize(await r.respond(makeQuery(name, type), CLIENT, GW, proto))?.rcode, "REFUSED", `${name} ${type} ${proto}`);
        }
      }
      // a name dns-packet cannot echo takes another branch
      const odd = makeQuery("x.example.com");
      odd[13] = 0x2e; // the label "x" becomes "."
      assert.equal(summarize(await r.respond(odd, CLIENT, GW, "udp"))?.rcode, "REFUSED");
      assert.deepEqual(summarize(sync(r.respond(makeQuery("web"), CLIENT, GW, "udp")))?.answers, ["10.89.3.2"], "local names still resolve");
      assert.equal(summarize(sync(r.respond(makeQuery("nobody.dns.berth"), CLIENT, GW, "udp")))?.rcode, "NXDOMAIN");
    }
    assert.deepEqual(up.seen, { udp: 0, tcp: 0 });
  } finally {
    await up.close();
  }
});
