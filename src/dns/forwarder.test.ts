import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Forwarder } from "./forwarder.js";
import { nameserversOf, parseUpstream } from "./upstream.js";
import { FakeUpstream } from "./testing/fake-upstream.js";
import { makeQuery, summarize } from "./testing/dns-client.js";

/** A port on 127.0.0.1 where nothing listens (the kernel answers ICMP port unreachable). */
async function closedPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test("parseUpstream() reads IPv4, IPv6 and ip#port, and rejects the rest", () => {
  assert.deepEqual(parseUpstream("10.0.0.1"), { host: "10.0.0.1", port: 53, family: 4, key: "10.0.0.1" });
  assert.deepEqual(parseUpstream("2001:db8::1#5353"), { host: "2001:db8::1", port: 5353, family: 6, key: "2001:db8::1#5353" });
  for (const bad of ["", "dns.example", "10.0.0.1:53", "10.0.0.1#0", "10.0.0.1#70000", "1.2.3"]) assert.equal(parseUpstream(bad), undefined, bad);
});

test("nameserversOf() lists resolv.conf nameservers in order, loopback included, scoped IPv6 skipped", () => {
  const text =
    "# generated\nsearch example.com\nnameserver 127.0.0.53\nnameserver 2001:db8::53\n  nameserver 10.0.0.2 \nnameserver fe80::1%eth0\nnameserver bogus\noptions edns0\n";
  assert.deepEqual(nameserversOf(text), ["127.0.0.53", "2001:db8::53", "10.0.0.2"]);
});

test("Forwarder: UDP and TCP go to the upstream with the query's own protocol", async () => {
  const up = await FakeUpstream.start();
  try {
    const f = new Forwarder();
    assert.deepEqual(summarize(await f.forward(makeQuery("a.example"), [up.server], "udp"))?.answers, ["198.51.100.7"]);
    assert.deepEqual(summarize(await f.forward(makeQuery("b.example"), [up.server], "tcp"))?.answers, ["198.51.100.7"]);
    assert.deepEqual(up.seen, { udp: 1, tcp: 1 });
  } finally {
    await up.close();
  }
});

test("Forwarder: a silent first server is failed over once, then skipped (not even asked) while remembered down", async () => {
  const dead = await FakeUpstream.start({ silent: true });
  const live = await FakeUpstream.start();
  try {
    const f = new Forwarder({ failoverMs: 150, downForMs: 60_000 });
    const servers = [dead.server, live.server];
    assert.deepEqual(summarize(await f.forward(makeQuery("x.example"), servers, "udp"))?.answers, ["198.51.100.7"]);
    assert.equal(f.isDown(dead.server), true);
    assert.deepEqual({ dead: dead.seen.udp, live: live.seen.udp }, { dead: 1, live: 1 });
    assert.deepEqual(summarize(await f.forward(makeQuery("y.example"), servers, "udp"))?.answers, ["198.51.100.7"]);
    assert.deepEqual({ dead: dead.seen.udp, live: live.seen.udp }, { dead: 1, live: 2 }, "the down server is not asked again");
  } finally {
    await dead.close();
    await live.close();
  }
});

// The failover timer is 10 minutes: these only finish if the forwarder moves on without it.
const NEVER = 600_000;

test("Forwarder: a closed port fails over at once; all servers dead gives undefined", { timeout: 30_000 }, async () => {
  const live = await FakeUpstream.start();
  const port = await closedPort();
  try {
    const f = new Forwarder({ failoverMs: NEVER, lingerMs: 100 });
    assert.ok(
      await f.forward(makeQuery("x.example"), [`127.0.0.1#${port}`, live.server], "udp"),
      "ICMP port unreachable moved on without waiting for the timer",
    );
    assert.equal(await f.forward(makeQuery("x.example"), [`127.0.0.1#${port}`], "udp"), undefined);
    assert.equal((await f.forward(makeQuery("x.example"), [`127.0.0.1#${port}`, live.server], "tcp")) !== undefined, true, "TCP fails over too");
    assert.equal(await f.forward(makeQuery("x.example"), [], "udp"), undefined);
  } finally {
    await live.close();
  }
});

test("Forwarder: an upstream the kernel will not connect to (no route, broadcast) fails at once instead of hanging", { timeout: 30_000 }, async () => {
  // connect() to 255.255.255.255 without SO_BROADCAST fails with EACCES, like ENETUNREACH for an unroutable server: no packet leaves
  const crashes: unknown[] = [];
  const onCrash = (e: unknown) => crashes.push(e);
  process.on("uncaughtException", onCrash);
  try {
    assert.equal(
      await new Forwarder({ failoverMs: NEVER, lingerMs: NEVER }).forward(makeQuery("c.example"), ["255.255.255.255"], "udp"),
      undefined,
      "gave up without waiting for a timer",
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(crashes, []);
  } finally {
    process.off("uncaughtException", onCrash);
  }
});
