import { test } from "node:test";
import assert from "node:assert/strict";
import { Zone } from "./zone.js";
import { diffZones } from "./zone-delta.js";
import type { DnsContainer, DnsNetwork, DnsZoneSnapshot } from "./zone-snapshot.js";
import { parseIpv4 } from "../model/ipv4.js";

const hex = (n: number) => n.toString(16).padStart(64, "0");

function net(id: string, third: number, containers: readonly DnsContainer[], extra: Partial<DnsNetwork> = {}): DnsNetwork {
  return { id, name: `net-${id}`, gateway: `10.50.${third}.1`, subnet: `10.50.${third}.0/24`, dnsServers: [], containers, ...extra };
}

function c(n: number, third: number, more: Partial<DnsContainer> = {}): DnsContainer {
  return { id: hex(n), name: `c${n}`, aliases: [], ipv4: `10.50.${third}.${n + 2}`, dnsServers: [], ...more };
}

/** Every answer `z` gives for the clients, gateways, names and addresses of `snap`, as one comparable value. */
function answers(z: Zone, snap: DnsZoneSnapshot): unknown[] {
  const clients = new Set<string>(["10.50.1.250"]);
  const names = new Set<string>(["nosuch", "nosuch.dns.berth", "example.com"]);
  const addrs = new Set<string>(["10.50.1.77"]);
  for (const n of snap.networks)
    for (const x of n.containers) {
      if (x.ipv4 !== undefined) (clients.add(x.ipv4), addrs.add(x.ipv4));
      for (const m of [x.name, ...x.aliases]) (names.add(m.toLowerCase()), names.add(`${m.toLowerCase()}.dns.berth`));
      names.add(x.id.slice(0, 12));
    }
  const out: unknown[] = [z.gateways, z.serial, z.empty];
  for (const client of clients)
    for (const gateway of z.gateways) {
      out.push(z.upstreamsFor(client, gateway), z.mayForward(client, gateway), z.isMember(client, gateway));
      for (const name of names) {
        const a = z.lookupName(client, gateway, name);
        // the order of several addresses under one name is not part of the answer
        out.push(a.kind === "local" ? { ...a, ips: [...a.ips].sort(), ips6: [...a.ips6].sort() } : a);
      }
      for (const a of addrs) {
        const r = z.lookupAddress(client, gateway, parseIpv4(a));
        out.push(r.kind === "ptr" ? { ...r, names: [...r.names].sort() } : r);
      }
    }
  return out;
}

test("diffZones: the containers that came, went or changed; undefined when a network came, went or changed", () => {
  const a: DnsZoneSnapshot = { version: 1, serial: 1, networks: [net("n1", 1, [c(1, 1), c(2, 1), c(3, 1)])] };
  const b: DnsZoneSnapshot = { version: 1, serial: 2, networks: [net("n1", 1, [c(1, 1), c(3, 1, { aliases: ["x"] }), c(4, 1)])] };
  const d = diffZones(a, b);
  assert.ok(d);
  assert.equal(d.serial, 2);
  assert.deepEqual(
    d.removed.map((r) => r.id),
    [hex(3), hex(2)],
  );
  assert.deepEqual(
    d.added.map((x) => x.container.id),
    [hex(3), hex(4)],
  );
  assert.deepEqual(diffZones(a, { ...a, serial: 3 })?.added, []);
  assert.equal(diffZones(a, { version: 1, networks: [] }), undefined, "a network went");
  assert.equal(
    diffZones(a, { version: 1, networks: [net("n1", 1, a.networks[0]!.containers, { dnsServers: ["9.9.9.9"] })] }),
    undefined,
    "its servers changed",
  );
  assert.equal(diffZones(a, { version: 1, networks: [net("n1", 1, [c(1, 1), c(1, 1)])] }), undefined, "an id twice on one network");
});

test("Zone.apply(): after any sequence of changes the zone answers as one built anew from the last snapshot", () => {
  // a small deterministic generator, so a failure can be replayed
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const aliasPool = ["www", "db", "api", "WWW"];
  const make = (n: number, third: number): DnsContainer =>
    c(n, third, {
      aliases: rnd(3) === 0 ? [aliasPool[rnd(aliasPool.length)]!] : [],
      dnsServers: rnd(5) === 0 ? ["1.1.1.1"] : [],
      ...(rnd(4) === 0 ? { ipv6: `fd00:50:${third}::${(n + 2).toString(16)}` } : {}),
    });
  let snap: DnsZoneSnapshot = {
    version: 1,
    serial: 1,
    networks: [net("n1", 1, [make(1, 1), make(2, 1)], { dnsServers: ["9.9.9.9"] }), net("n2", 2, [make(1, 2), make(3, 2)], { internal: true })],
  };
  const zone = new Zone(snap);
  for (let step = 0; step < 200; step++) {
    const networks = snap.networks.map((n, i) => {
      const third = i + 1;
      let list = [...n.containers];
      const what = rnd(4);
      if (what === 0 && list.length > 1) list.splice(rnd(list.length), 1);
      else if (what === 1) {
        const k = rnd(12);
        if (!list.some((x) => x.id === hex(k))) list.push(make(k, third));
      } else if (what === 2 && list.length > 0) {
        const j = rnd(list.length);
        list[j] = make(Number.parseInt(list[j]!.id, 16), third);
      }
      return { ...n, containers: list };
    });
    const next: DnsZoneSnapshot = { version: 1, serial: step + 2, networks };
    const delta = diffZones(snap, next);
    assert.ok(delta, `step ${step}: same networks, so a delta`);
    assert.ok(zone.apply(delta));
    assert.deepEqual(answers(zone, next), answers(new Zone(next), next), `step ${step}`);
    snap = next;
  }
});

test("Zone.apply() refuses a delta for a network it does not have, and changes nothing", () => {
  const snap: DnsZoneSnapshot = { version: 1, serial: 1, networks: [net("n1", 1, [c(1, 1)])] };
  const z = new Zone(snap);
  const before = answers(z, snap);
  assert.equal(z.apply({ serial: 2, removed: [{ network: "n1", id: hex(1) }], added: [{ network: "n9", container: c(2, 1) }] }), false);
  assert.deepEqual(answers(z, snap), before);
});

test("Zone.apply() replaces answers instead of changing those already handed out", () => {
  const snap: DnsZoneSnapshot = { version: 1, serial: 1, networks: [net("n1", 1, [c(1, 1, { aliases: ["www"] }), c(2, 1)])] };
  const z = new Zone(snap);
  const held = z.lookupName("10.50.1.4", "10.50.1.1", "www");
  assert.equal(held.kind, "local");
  const next: DnsZoneSnapshot = { version: 1, serial: 2, networks: [net("n1", 1, [c(1, 1, { aliases: ["www"] }), c(2, 1), c(3, 1, { aliases: ["www"] })])] };
  assert.ok(z.apply(diffZones(snap, next)!));
  assert.deepEqual(held, { kind: "local", ips: [parseIpv4("10.50.1.3")], ips6: [] });
  const now = z.lookupName("10.50.1.4", "10.50.1.1", "www");
  assert.deepEqual(now.kind === "local" ? [...now.ips].sort() : now, [parseIpv4("10.50.1.3"), parseIpv4("10.50.1.5")].sort());
});

test("a name many containers hold: the built zone answers every address, and an answer handed out never changes when a holder comes or goes", () => {
  const holder = (i: number): DnsContainer => ({
    id: (i + 1).toString(16).padStart(12, "0").padEnd(64, "a"),
    name: `r${i}`,
    aliases: ["web"],
    ipv4: `10.1.0.${i + 10}`,
    dnsServers: [],
  });
  const net = (n: number): DnsNetwork => ({
    id: "n",
    name: "n",
    gateway: "10.1.0.1",
    subnet: "10.1.0.0/24",
    dnsServers: [],
    containers: Array.from({ length: n }, (_, i) => holder(i)),
  });
  const three: DnsZoneSnapshot = { version: 1, networks: [net(3)] };
  const four: DnsZoneSnapshot = { version: 1, networks: [net(4)] };
  const built = new Zone(three);
  const before = built.lookupName("10.1.0.10", "10.1.0.1", "web");
  assert.equal(before.kind, "local");
  const ips = before.kind === "local" ? [...before.ips] : [];
  assert.equal(ips.length, 3, "every holder's address");
  const delta = diffZones(three, four);
  assert.ok(delta && built.apply(delta));
  const after = built.lookupName("10.1.0.10", "10.1.0.1", "web");
  assert.equal(after.kind === "local" ? after.ips.length : 0, 4, "the new holder's address too");
  assert.deepEqual(before.kind === "local" ? [...before.ips] : [], ips, "the answer handed out before is unchanged");
  // built in slices, the same answers
  const slices = Zone.inSlices(four, 2);
  let step = slices.next();
  while (!step.done) step = slices.next();
  assert.deepEqual(step.value.lookupName("10.1.0.10", "10.1.0.1", "web"), after);
});
