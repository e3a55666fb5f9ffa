import { test } from "node:test";
import assert from "node:assert/strict";
import { analyseProbe, type HostFacts } from "./probe-analysis.js";
import { parseRulesetText } from "../../firewall/index.js";
import type { TraceEvent } from "../../kernel/index.js";

const PROBE = { proto: "tcp", src: "10.89.0.4", dst: "198.51.100.2", sport: 61234, dport: 80, cookie: 0x1a2b3c4d } as const;
const SYN = { saddr: "10.89.0.4", daddr: "198.51.100.2", proto: "tcp", sport: 61234, dport: 80, seq: 0x1a2b3c4d, tcpFlags: "SYN" };
const OWN = "berth_probe_7";
const RULESET = parseRulesetText(
  [
    "table inet admin { # handle 4",
    "\tchain forward { # handle 1",
    "\t\ttype filter hook forward priority filter; policy accept;",
    "\t\tip daddr 198.51.100.2 tcp dport 80 drop # handle 2",
    "\t}",
    "}",
  ].join("\n"),
);

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    ifname: (i) => ({ 3: "berth1", 4: "vhost0" })[i] ?? `ifindex ${i}`,
    routeTo: () => "default via 198.51.100.2 dev vhost0",
    isLocal: () => false,
    ipForward: () => "1",
    untraceableDrops: () => [],
    containerAt: () => undefined,
    ...over,
  };
}

function hook(chain: string, extra: Partial<TraceEvent> = {}): TraceEvent {
  return { id: 1, family: "inet", table: OWN, chain, type: "policy", verdict: "accept", iif: 3, packet: SYN, ...extra };
}

function analyse(events: TraceEvent[], over: Partial<HostFacts> = {}) {
  return analyseProbe({ packet: PROBE, from: "container surfer", events, ruleset: RULESET, ownTable: OWN, conntrack: undefined, timeoutMs: 2000 }, facts(over));
}

test("a drop rule in another table: named with its text, handle and hook", () => {
  const r = analyse([
    hook("prerouting"),
    hook("forward", { oif: 4 }),
    { id: 1, family: "inet", table: "admin", chain: "forward", type: "rule", handle: 2, verdict: "drop" },
  ]);
  assert.equal(r.outcome, "dropped");
  assert.equal(r.lastSeen, "dropped by rule 'ip daddr 198.51.100.2 tcp dport 80 drop' in table inet admin chain forward (handle 2, hook forward)");
  assert.deepEqual(
    r.hops.map((h) => `${h.kind} ${h.hook}`),
    ["hook prerouting", "hook forward", "rule forward"],
  );
  assert.equal(r.reachable, false);
});

test("events of packets someone else traces are left out", () => {
  const r = analyse([hook("prerouting"), { id: 99, family: "inet", table: "admin", chain: "forward", type: "rule", handle: 2, verdict: "drop" }]);
  assert.notEqual(r.outcome, "dropped");
  assert.equal(r.hops.length, 1);
});

test("gone after prerouting with no route: 'no route'; with a route and a legacy policy: 'vanished', naming it", () => {
  const noRoute = analyse([hook("prerouting")], { routeTo: () => undefined });
  assert.equal(noRoute.outcome, "no route");
  assert.match(noRoute.lastSeen, /^last seen in inet hook prerouting \(in on berth1\): the host has no route to 198\.51\.100\.2/);
  const legacy = analyse([hook("prerouting"), hook("forward", { oif: 4 })], { untraceableDrops: () => ["iptables-legacy has FORWARD policy DROP"] });
  assert.equal(legacy.outcome, "vanished");
  assert.match(legacy.lastSeen, /hook forward .*: iptables-legacy has FORWARD policy DROP$/);
});

test("gone after prerouting toward the host's own address: 'vanished' (naming what cannot be traced), never 'no route' or ip_forward", () => {
  const local = { ...SYN, daddr: "127.0.0.1", dport: 8081 };
  for (const over of [{ routeTo: () => undefined }, { ipForward: () => "0" }]) {
    const r = analyse([hook("prerouting", { packet: local })], {
      ...over,
      isLocal: (a) => a === "127.0.0.1",
      untraceableDrops: () => ["iptables-legacy has INPUT policy DROP"],
    });
    assert.equal(r.outcome, "vanished", r.lastSeen);
    assert.match(r.lastSeen, /iptables-legacy has INPUT policy DROP$/);
  }
});

test("not sent: no route inside the container", () => {
  const r = analyseProbe(
    { packet: PROBE, from: "container surfer", sendError: "ENETUNREACH", events: [], ruleset: RULESET, ownTable: OWN, conntrack: undefined, timeoutMs: 2000 },
    facts(),
  );
  assert.equal(r.outcome, "no route");
  assert.equal(r.lastSeen, "never left container surfer: no route to 198.51.100.2 there (ENETUNREACH)");
});
