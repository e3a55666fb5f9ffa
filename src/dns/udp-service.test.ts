import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import dnsPacket from "dns-packet";
import { KernelError } from "../errors.js";
import { makeQuery, udpQuery } from "./testing/dns-client.js";
import { UdpService } from "./udp-service.js";
import { openUdpSocket, closeFd } from "./udp-socket.js";
import type { DnsZoneSnapshot } from "./zone-snapshot.js";
import { ForwardGate } from "./forward-gate.js";

// Loopback only: the "network" is 127.0.0.0/8 with its gateway at 127.0.0.1,
// and the querying client (127.0.0.1) is a container in it.
function loZone(webName: string): DnsZoneSnapshot {
  return {
    version: 1,
    networks: [
      {
        id: "lo",
        name: "lo",
        gateway: "127.0.0.1",
        subnet: "127.0.0.0/8",
        dnsServers: [],
        containers: [
          { id: "a".repeat(64), name: "client", aliases: [], ipv4: "127.0.0.1", dnsServers: [] },
          { id: "b".repeat(64), name: webName, aliases: [], ipv4: "127.0.0.2", dnsServers: [] },
        ],
      },
    ],
  };
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function answersOf(reply: Buffer | undefined): { rcode: string | undefined; data: string[] } {
  assert.ok(reply, "no reply");
  const p = dnsPacket.decode(reply);
  return { rcode: (p as { rcode?: string }).rcode, data: (p.answers ?? []).map((a) => String((a as { data: unknown }).data)) };
}

test("UDP thread: answers local names, hands other names to the main thread, follows zone changes, and closes its sockets on stop", async () => {
  const port = await freePort();
  const forwarded: string[] = [];
  const logs: string[] = [];
  const udp = new UdpService({
    snapshot: loZone("web"),
    fastPath: true,
    log: (m) => logs.push(m),
    handle: (query, client, gateway, proto) => {
      forwarded.push(`${client} ${gateway} ${proto}`);
      const q = dnsPacket.decode(query);
      return Promise.resolve(
        dnsPacket.encode({ id: q.id ?? 0, type: "response", questions: q.questions ?? [], answers: [{ type: "A", name: "example.com", data: "192.0.2.7" }] }),
      );
    },
  });
  try {
    udp.open("127.0.0.1", port);
    assert.deepEqual(answersOf(await udpQuery("127.0.0.1", port, makeQuery("web"))), { rcode: "NOERROR", data: ["127.0.0.2"] });
    assert.deepEqual(answersOf(await udpQuery("127.0.0.1", port, makeQuery("WEB.dns.berth"))), { rcode: "NOERROR", data: ["127.0.0.2"] });
    assert.equal(answersOf(await udpQuery("127.0.0.1", port, makeQuery("nosuch.dns.berth"))).rcode, "NXDOMAIN");
    // not in the zone: the main thread's handler answers, on the same socket
    assert.deepEqual(answersOf(await udpQuery("127.0.0.1", port, makeQuery("example.com"))), { rcode: "NOERROR", data: ["192.0.2.7"] });
    assert.deepEqual(forwarded, ["127.0.0.1 127.0.0.1 udp"]);
    // a datagram longer than any query is answered FORMERR from its header
    const big = Buffer.concat([makeQuery("web"), Buffer.alloc(5000)]);
    assert.equal(answersOf(await udpQuery("127.0.0.1", port, big)).rcode, "FORMERR");

    await udp.setZone(loZone("api"));
    assert.deepEqual(answersOf(await udpQuery("127.0.0.1", port, makeQuery("api"))), { rcode: "NOERROR", data: ["127.0.0.2"] });
    assert.equal(answersOf(await udpQuery("127.0.0.1", port, makeQuery("web.dns.berth"))).rcode, "NXDOMAIN");

    // a second socket on the same port is refused with the address in the message
    assert.throws(
      () => openUdpSocket("127.0.0.1", port),
      (e: unknown) => e instanceof KernelError && e.errno === 98 && /127\.0\.0\.1:\d+\/udp/.test(e.message),
    );
  } finally {
    await udp.stop();
  }
  // the thread closed the socket: the port can be bound again
  closeFd(openUdpSocket("127.0.0.1", port));
  assert.deepEqual(logs, []);
});

test("UDP thread: many queries at once are all answered, each to its own sender", async () => {
  const port = await freePort();
  const udp = new UdpService({ snapshot: loZone("web"), fastPath: true, log: () => undefined, handle: () => undefined });
  try {
    udp.open("127.0.0.1", port);
    // more than one batch (64 datagrams), from 300 sockets at once
    const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => udpQuery("127.0.0.1", port, makeQuery("web", "A", i), 5000)));
    replies.forEach((r, i) => {
      assert.ok(r, `query ${i} got no reply`);
      assert.equal(dnsPacket.decode(r).id, i);
    });
  } finally {
    await udp.stop();
  }
});

test("UDP thread: while a big new zone is built, queries are answered from the old one", async () => {
  const port = await freePort();
  // 20,000 more containers: building their tables takes the thread ~1 s in one go
  const big = (webName: string): DnsZoneSnapshot => {
    const z = loZone(webName);
    const many = Array.from({ length: 20_000 }, (_, i) => ({
      // ids that differ in their first 12 characters, as real ones do (a shared short id would be one name held by all 20,000)
      id: (i + 1).toString(16).padStart(12, "0").padEnd(64, "c"),
      name: `c${i}`,
      aliases: [`a${i}`],
      ipv4: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`,
      dnsServers: [],
    }));
    return { ...z, networks: [...z.networks, { id: "many", name: "many", gateway: "10.255.255.254", subnet: "10.0.0.0/8", dnsServers: [], containers: many }] };
  };
  const udp = new UdpService({ snapshot: big("web"), fastPath: true, log: () => undefined, handle: () => undefined });
  try {
    udp.open("127.0.0.1", port);
    // readiness: the thread first builds the starting zone (seconds on a busy machine), then answers
    let first: Buffer | undefined;
    for (let i = 0; i < 60 && first === undefined; i++) first = await udpQuery("127.0.0.1", port, makeQuery("web"), 1000);
    assert.deepEqual(answersOf(first), { rcode: "NOERROR", data: ["127.0.0.2"] });
    let applied = false;
    const zoneApplied = udp.setZone(big("api")).then(() => (applied = true));
    const during = await udpQuery("127.0.0.1", port, makeQuery("web.dns.berth"));
    assert.equal(applied, false, "the query was answered only after the new zone was in place");
    assert.deepEqual(answersOf(during), { rcode: "NOERROR", data: ["127.0.0.2"] }, "answered from the old zone");
    await zoneApplied;
    assert.deepEqual(answersOf(await udpQuery("127.0.0.1", port, makeQuery("api.dns.berth"))), { rcode: "NOERROR", data: ["127.0.0.2"] });
    assert.equal(answersOf(await udpQuery("127.0.0.1", port, makeQuery("web.dns.berth"))).rcode, "NXDOMAIN");
  } finally {
    await udp.stop();
  }
});

test("UDP thread: beyond the forwarding gate's slots a query is answered SERVFAIL by the thread, never queued for the main thread (issue 19, finding 2)", async () => {
  const port = await freePort();
  const gate = ForwardGate.create({ maxPending: 40, perClientRate: 1_000_000, perClientBurst: 1_000_000 });
  let handed = 0;
  // an upstream that never answers: every forward stays pending
  const udp = new UdpService({ snapshot: loZone("web"), fastPath: true, log: () => undefined, gate, handle: () => (handed++, new Promise(() => undefined)) });
  try {
    udp.open("127.0.0.1", port);
    const sock = dgram.createSocket("udp4");
    const rcodes = new Map<string, number>();
    let replies = 0;
    sock.on("message", (m) => {
      replies++;
      const rcode = (dnsPacket.decode(m) as { rcode?: string }).rcode ?? "?";
      rcodes.set(rcode, (rcodes.get(rcode) ?? 0) + 1);
    });
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    sock.setRecvBufferSize(1 << 20);
    for (let i = 0; i < 500; i++) await new Promise<void>((r) => sock.send(makeQuery(`r${i}.flood.example`, "A", i), port, "127.0.0.1", () => r()));
    const local = await udpQuery("127.0.0.1", port, makeQuery("web"));
    // the thread has seen every query once the gate has counted each (a reply may still be lost on a busy host)
    const end = Date.now() + 5000;
    while (gate.stats().refusedFull + handed < 500 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    while (replies < 460 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    sock.close();
    assert.deepEqual(answersOf(local), { rcode: "NOERROR", data: ["127.0.0.2"] }, "local names are answered meanwhile");
    assert.equal(gate.stats().pending, 40);
    assert.equal(gate.stats().peakPending, 40, "never more pending than the gate's total");
    assert.equal(handed, 40, "only the admitted queries reached the main thread");
    assert.equal(gate.stats().refusedFull, 460, "the rest were turned away by the thread");
    assert.deepEqual([...rcodes.keys()], ["SERVFAIL"], "with SERVFAIL at once");
    assert.ok(replies > 400, `SERVFAIL replies received: ${replies} of 460`);
  } finally {
    await udp.stop();
  }
});
