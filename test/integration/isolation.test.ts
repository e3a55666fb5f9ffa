// Who can reach whom, as a matrix over TCP and UDP: networks A and B
// (custom, isolated from each other), C (--internal), the host (the
// sandbox), an outside machine (a namespace behind the host), and ports
// published on 0.0.0.0 and on one host address. Every pair that must
// connect does; every pair that must not, does not. The same matrix runs
// again over IPv6 with dual-stack networks. The probes of one matrix run
// at once (askAll), so the refused ones wait out their second together.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { ECHO, ask, askAll, waitListening, type Probe } from "../echo.js";
import { arpReply, neighbourAdvert, sendFrames, udp4, udp6 } from "../raw-frame.js";
import { macOf, rawSyn } from "../raw-syn.js";
import { HOST_ADDR, HOST_ADDR2, HOST_ADDR6, HOST_ADDR6_2, OUTSIDE_ADDR, OUTSIDE_ADDR6, sandboxWithOutside, type Outside } from "../outside.js";

let b: BerthSandbox;
let outside: Outside | undefined;

sandboxWithOutside({ defaultRoute: true, ipv6: true }, (sandbox, out) => {
  b = sandbox;
  outside = out;
});

interface Case {
  readonly from: string;
  readonly to: string;
  readonly reach: boolean;
  /** The source address the server must see (when reachable). */
  readonly seenAs?: string | undefined;
}

/** One probe and what it must get: nothing, any answer, this source address, or one of these. */
interface Check {
  readonly what: string;
  readonly probe: Probe;
  readonly answer: "none" | "any" | string | readonly string[];
}

/** Run every check's probe at once, then assert each answer. */
async function verify(checks: readonly Check[]): Promise<void> {
  const seen = await askAll(checks.map((c) => c.probe));
  checks.forEach((c, i) => {
    const got = seen[i];
    if (c.answer === "none") assert.equal(got, undefined, `${c.what} must not connect`);
    else if (c.answer === "any") assert.ok(got, `${c.what} connects`);
    else if (typeof c.answer === "string") assert.equal(got, c.answer, `${c.what} connects, seen as ${c.answer}`);
    else assert.ok(c.answer.includes(got ?? ""), `${c.what}: seen as ${String(got)}, one of ${c.answer.join(", ")}`);
  });
}

/** The matrix's cases as checks: same port 8080 on the target, a refused one waits `no` ms. */
function caseChecks(
  proto: "tcp" | "udp",
  cases: readonly Case[],
  target: (name: string) => string,
  ns: Record<string, string | undefined>,
  no: number,
  suffix = "",
): Check[] {
  return cases.map((c) => ({
    what: `${proto} ${c.from} -> ${c.to}${suffix}`,
    probe: { proto, host: target(c.to), port: 8080, netns: ns[c.from], timeoutMs: c.reach ? undefined : no },
    answer: !c.reach ? "none" : (c.seenAs ?? "any"),
  }));
}

test("isolation and exposure matrix over TCP and UDP", async (t) => {
  if (!requireSandbox(t) || !outside) return;
  const outsideNs = outside.ns;
  b.ok("network", "create", "net-a");
  b.ok("network", "create", "net-b");
  b.ok("network", "create", "net-c", "--internal");
  b.ok(
    "run",
    "-d",
    "--name",
    "a1",
    "--network",
    "net-a",
    "-p",
    "9700:8080",
    "-p",
    "9700:8080/udp",
    "-p",
    `${HOST_ADDR}:9701:8080`,
    "-p",
    `${HOST_ADDR}:9701:8080/udp`,
    ...ECHO,
  );
  b.ok("run", "-d", "--name", "a2", "--network", "net-a", ...ECHO);
  b.ok("run", "-d", "--name", "b1", "--network", "net-b", ...ECHO);
  b.ok("run", "-d", "--name", "c1", "--network", "net-c", ...ECHO);
  b.ok("run", "-d", "--name", "c2", "--network", "net-c", ...ECHO);
  const ip: Record<string, string> = Object.fromEntries(["a1", "a2", "b1", "c1", "c2"].map((n) => [n, b.ip(n)]));
  const ns: Record<string, string | undefined> = {
    ...Object.fromEntries(["a1", "a2", "b1", "c1", "c2"].map((n) => [n, b.netns(n)])),
    host: undefined,
    outside: outside.ns,
  };
  // a server on the outside machine, for egress checks
  const echoOutside = spawn("nsenter", [`--net=${outside.ns}`, ...ECHO], { stdio: "ignore" });
  try {
    for (const n of ["a1", "a2", "b1", "c1", "c2"]) waitListening(ns[n]);
    waitListening(outside.ns);
    const target = (name: string) => (name === "outside" ? OUTSIDE_ADDR : (ip[name] ?? name));
    // a refused path is silence (dropped, no reset): wait 1 s for it; an open one answers in milliseconds
    const NO = 1000;
    const cases: Case[] = [
      // same network: reachable, real source address
      { from: "a2", to: "a1", reach: true, seenAs: ip["a2"] },
      { from: "c2", to: "c1", reach: true, seenAs: ip["c2"] },
      // different networks: isolated both ways, internal too
      { from: "b1", to: "a1", reach: false },
      { from: "a1", to: "b1", reach: false },
      { from: "a1", to: "c1", reach: false },
      { from: "c1", to: "a1", reach: false },
      // egress: a non-internal network goes out masqueraded; an internal one does not go out
      { from: "a1", to: "outside", reach: true, seenAs: HOST_ADDR },
      { from: "c1", to: "outside", reach: false },
      // ingress to container addresses: the host may, the outside may not (only published ports)
      { from: "host", to: "a1", reach: true },
      { from: "outside", to: "a1", reach: false },
      { from: "outside", to: "c1", reach: false },
    ];
    const checks = (["tcp", "udp"] as const).flatMap((proto): Check[] => [
      ...caseChecks(proto, cases, target, ns, NO),
      // published on 0.0.0.0: every host address, from outside (real client address), the host and another network
      { what: `${proto} outside -> ${HOST_ADDR}:9700`, probe: { proto, host: HOST_ADDR, port: 9700, netns: outsideNs }, answer: OUTSIDE_ADDR },
      { what: `${proto} outside -> ${HOST_ADDR2}:9700`, probe: { proto, host: HOST_ADDR2, port: 9700, netns: outsideNs }, answer: OUTSIDE_ADDR },
      { what: `${proto} host -> 127.0.0.1:9700`, probe: { proto, host: "127.0.0.1", port: 9700 }, answer: "any" },
      { what: `${proto} b1 (other network) -> ${HOST_ADDR}:9700`, probe: { proto, host: HOST_ADDR, port: 9700, netns: ns["b1"] }, answer: "any" },
      // published on one host address: only there
      { what: `${proto} outside -> ${HOST_ADDR}:9701`, probe: { proto, host: HOST_ADDR, port: 9701, netns: outsideNs }, answer: OUTSIDE_ADDR },
      { what: `${proto} outside -> ${HOST_ADDR2}:9701`, probe: { proto, host: HOST_ADDR2, port: 9701, netns: outsideNs, timeoutMs: NO }, answer: "none" },
      { what: `${proto} host -> 127.0.0.1:9701`, probe: { proto, host: "127.0.0.1", port: 9701, timeoutMs: NO }, answer: "none" },
    ]);
    await verify(checks);
  } finally {
    echoOutside.kill("SIGKILL");
    b.run("rm", "-f", "a1", "a2", "b1", "c1", "c2");
    b.run("network", "rm", "net-a", "net-b", "net-c");
  }
});

test("isolation and exposure matrix over IPv6 (dual-stack networks), TCP and UDP", async (t) => {
  if (!requireSandbox(t) || !outside) return;
  const outsideNs = outside.ns;
  b.ok("network", "create", "--ipv6", "net6-a");
  b.ok("network", "create", "--ipv6", "net6-b");
  b.ok("network", "create", "--ipv6", "net6-c", "--internal");
  b.ok(
    "run",
    "-d",
    "--name",
    "a1",
    "--network",
    "net6-a",
    "-p",
    "9710:8080",
    "-p",
    "9710:8080/udp",
    "-p",
    `[${HOST_ADDR6}]:9711:8080`,
    "-p",
    `[${HOST_ADDR6}]:9711:8080/udp`,
    ...ECHO,
  );
  b.ok("run", "-d", "--name", "a2", "--network", "net6-a", ...ECHO);
  b.ok("run", "-d", "--name", "b1", "--network", "net6-b", ...ECHO);
  b.ok("run", "-d", "--name", "c1", "--network", "net6-c", ...ECHO);
  b.ok("run", "-d", "--name", "c2", "--network", "net6-c", ...ECHO);
  const names = ["a1", "a2", "b1", "c1", "c2"];
  const ip: Record<string, string> = Object.fromEntries(names.map((n) => [n, b.ok("inspect", "-f", "{{.NetworkSettings.GlobalIPv6Address}}", n).trim()]));
  for (const n of names) assert.match(ip[n] ?? "", /^fd/, `${n} has a unique local IPv6 address`);
  const ns: Record<string, string | undefined> = { ...Object.fromEntries(names.map((n) => [n, b.netns(n)])), host: undefined, outside: outside.ns };
  const echoOutside = spawn("nsenter", [`--net=${outside.ns}`, ...ECHO], { stdio: "ignore" });
  try {
    for (const n of ["a1", "a2", "b1", "c1", "c2"]) waitListening(ns[n]);
    waitListening(outside.ns);
    const target = (name: string) => (name === "outside" ? OUTSIDE_ADDR6 : (ip[name] ?? name));
    const NO = 1000;
    const hostSide = [HOST_ADDR6, HOST_ADDR6_2];
    const cases: Case[] = [
      { from: "a2", to: "a1", reach: true, seenAs: ip["a2"] },
      { from: "c2", to: "c1", reach: true, seenAs: ip["c2"] },
      { from: "b1", to: "a1", reach: false },
      { from: "a1", to: "b1", reach: false },
      { from: "a1", to: "c1", reach: false },
      { from: "c1", to: "a1", reach: false },
      { from: "a1", to: "outside", reach: true },
      { from: "c1", to: "outside", reach: false },
      { from: "host", to: "a1", reach: true },
      { from: "outside", to: "a1", reach: false },
      { from: "outside", to: "c1", reach: false },
    ];
    const checks = (["tcp", "udp"] as const).flatMap((proto): Check[] => [
      ...caseChecks(proto, cases, target, ns, NO, " over IPv6"),
      // egress leaves with one of the host's IPv6 addresses (masquerade)
      { what: `${proto} a1 -> outside is masqueraded`, probe: { proto, host: OUTSIDE_ADDR6, port: 8080, netns: ns["a1"] }, answer: hostSide },
      // published on :: (bare -p): every host IPv6 address, real client address, and from another network
      { what: `${proto} outside -> [${HOST_ADDR6}]:9710`, probe: { proto, host: HOST_ADDR6, port: 9710, netns: outsideNs }, answer: OUTSIDE_ADDR6 },
      { what: `${proto} outside -> [${HOST_ADDR6_2}]:9710`, probe: { proto, host: HOST_ADDR6_2, port: 9710, netns: outsideNs }, answer: OUTSIDE_ADDR6 },
      { what: `${proto} b1 (other network) -> [${HOST_ADDR6}]:9710`, probe: { proto, host: HOST_ADDR6, port: 9710, netns: ns["b1"] }, answer: "any" },
      // ...and IPv4 still, the same bare -p
      {
        what: `${proto} outside -> ${HOST_ADDR}:9710 (IPv4 of the same -p)`,
        probe: { proto, host: HOST_ADDR, port: 9710, netns: outsideNs },
        answer: OUTSIDE_ADDR,
      },
      // ::1 is never DNATed (the kernel cannot route it into a bridge): nothing answers there
      { what: `${proto} host -> [::1]:9710 (never forwarded)`, probe: { proto, host: "::1", port: 9710, timeoutMs: NO }, answer: "none" },
      // published on one IPv6 host address: only there
      { what: `${proto} outside -> [${HOST_ADDR6}]:9711`, probe: { proto, host: HOST_ADDR6, port: 9711, netns: outsideNs }, answer: OUTSIDE_ADDR6 },
      { what: `${proto} outside -> [${HOST_ADDR6_2}]:9711`, probe: { proto, host: HOST_ADDR6_2, port: 9711, netns: outsideNs, timeoutMs: NO }, answer: "none" },
      {
        what: `${proto} outside -> ${HOST_ADDR2}:9711 (IPv4)`,
        probe: { proto, host: HOST_ADDR2, port: 9711, netns: outsideNs, timeoutMs: NO },
        answer: "none",
      },
    ]);
    await verify(checks);
  } finally {
    echoOutside.kill("SIGKILL");
    b.run("rm", "-f", "a1", "a2", "b1", "c1", "c2");
    b.run("network", "rm", "net6-a", "net6-b", "net6-c");
  }
});

/** The bridge of a network, from `network inspect`. */
function bridgeOf(net: string): string {
  return (JSON.parse(b.ok("network", "inspect", net)) as { network_interface: string }[])[0]?.network_interface ?? "";
}

// Raw packets, as a machine on the host's link or a container with
// CAP_NET_RAW can send them (the test sends them from inside the container's
// namespace): 127.0.0.1 written into a frame for the host's MAC. The same
// class as Kubernetes' CVE-2020-8558.
test("matrix: 127.0.0.1 from outside lo (a neighbour on the host's link, a NET_RAW container on another network) gets no answer; the host still does", async (t) => {
  if (!requireSandbox(t) || !outside) return;
  b.ok("network", "create", "net-l");
  b.ok("network", "create", "net-m");
  b.ok("run", "-d", "--name", "l1", "--network", "net-l", "-p", "127.0.0.1:9720:8080", "-p", "9722:8080", ...ECHO);
  b.ok("run", "-d", "--name", "m1", "--network", "net-m", ...ECHO);
  // a host service bound to 127.0.0.1 only
  const hostService = spawn(process.execPath, ["-e", "require('net').createServer(s=>s.end('host\\n')).listen(9721,'127.0.0.1')"], { stdio: "ignore" });
  try {
    spawnSync("sleep", ["0.8"]);
    const fromOutside = { ifname: "vout0", dstMac: macOf("vhost0"), srcIp: OUTSIDE_ADDR };
    const m1 = { ifname: "eth0", dstMac: macOf(bridgeOf("net-m")), srcIp: b.ip("m1") };
    const m1ns = b.netns("m1");
    // the sender works: a port published on every address answers it from both places
    assert.equal(rawSyn(outside.ns, { ...fromOutside, dstIp: HOST_ADDR, dstPort: 9722 }), "syn-ack", "control: outside -> published 0.0.0.0 port");
    assert.equal(rawSyn(m1ns, { ...m1, dstIp: HOST_ADDR, dstPort: 9722 }), "syn-ack", "control: m1 -> published 0.0.0.0 port through a host address");
    // nothing answers 127.0.0.1 from outside lo: a port published there, a host service bound there (through route_localnet on the bridge)
    const raw = {
      "outside -> 127.0.0.1:9720 (published on 127.0.0.1)": rawSyn(outside.ns, { ...fromOutside, dstIp: "127.0.0.1", dstPort: 9720 }),
      "NET_RAW m1 -> 127.0.0.1:9720 (published on 127.0.0.1)": rawSyn(m1ns, { ...m1, dstIp: "127.0.0.1", dstPort: 9720 }),
      "NET_RAW m1 -> host service on 127.0.0.1:9721": rawSyn(m1ns, { ...m1, dstIp: "127.0.0.1", dstPort: 9721 }),
      "outside -> host service on 127.0.0.1:9721": rawSyn(outside.ns, { ...fromOutside, dstIp: "127.0.0.1", dstPort: 9721 }),
    };
    assert.deepEqual(raw, Object.fromEntries(Object.keys(raw).map((k) => [k, "none"])));
    // the host itself still reaches both
    await verify([
      { what: "host -> 127.0.0.1:9720 (published)", probe: { proto: "tcp", host: "127.0.0.1", port: 9720 }, answer: "any" },
      { what: "host -> 127.0.0.1:9720/udp is not published", probe: { proto: "udp", host: "127.0.0.1", port: 9720, timeoutMs: 1000 }, answer: "none" },
    ]);
    assert.equal(
      spawnSync(process.execPath, ["-e", "require('net').connect(9721,'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)})"], {
        encoding: "utf8",
        timeout: 5000,
      }).stdout,
      "host\n",
      "host -> its own 127.0.0.1 service",
    );
  } finally {
    hostService.kill("SIGKILL");
    b.run("rm", "-f", "l1", "m1");
    b.run("network", "rm", "net-l", "net-m");
  }
});

/** A UDP service on the host, both families, that notes the source address of each datagram by its text. */
async function udpRecorder(port: number): Promise<{ readonly seen: Map<string, string>; close(): void }> {
  const seen = new Map<string, string>();
  const socks = [createSocket("udp4"), createSocket({ type: "udp6", ipv6Only: true })];
  for (const s of socks) s.on("message", (m, r) => seen.set(m.toString(), r.address));
  await Promise.all(socks.map((s, i) => new Promise<void>((resolve) => s.bind(port, i === 0 ? "0.0.0.0" : "::", resolve))));
  return { seen, close: () => socks.forEach((s) => s.close()) };
}

/** The host's neighbour entry (MAC) for `ip` on `dev`. */
function neighbourMac(ip: string, dev: string): string | undefined {
  const r = spawnSync("ip", ["-j", ip.includes(":") ? "-6" : "-4", "neigh", "show", ip, "dev", dev], { encoding: "utf8" });
  return (JSON.parse(r.stdout || "[]") as { lladdr?: string }[])[0]?.lladdr;
}

/** The bridge's own (gateway) address of one family. */
function gatewayOf(bridge: string, family: 4 | 6): string {
  const r = spawnSync("ip", ["-j", `-${family}`, "addr", "show", "dev", bridge, "scope", "global"], { encoding: "utf8" });
  const a = (JSON.parse(r.stdout) as { addr_info: { local: string }[] }[])[0]?.addr_info[0]?.local;
  if (!a) throw new Error(`no IPv${family} address on ${bridge}`);
  return a;
}

/**
 * A NET_RAW container (attacker) on the victim's network poses as the
 * victim, from its own namespace: a frame from the victim's MAC, a forged
 * ARP reply and neighbour advertisement (the victim's addresses at the
 * attacker's MAC, sent to the host that forwards the victim's traffic),
 * datagrams from the victim's IPv4 and IPv6 addresses. Then datagrams from
 * its own addresses, whose arrival says the forged frames before them were
 * handled. Returns, per attempt, whether it got through.
 */
async function spoofAttempts(net: string, victim: string, attacker: string, rec: { seen: Map<string, string> }): Promise<Record<string, string>> {
  const bridge = bridgeOf(net);
  const brMac = macOf(bridge);
  const gw4 = gatewayOf(bridge, 4);
  const gw6 = gatewayOf(bridge, 6);
  const v = { ip: b.ip(victim), ip6: b.ok("inspect", "-f", "{{.NetworkSettings.GlobalIPv6Address}}", victim).trim(), mac: macOf("eth0", b.netns(victim)) };
  const xNs = b.netns(attacker);
  const x = { ip: b.ip(attacker), ip6: b.ok("inspect", "-f", "{{.NetworkSettings.GlobalIPv6Address}}", attacker).trim(), mac: macOf("eth0", xNs) };
  waitListening(b.netns(victim), 8080, ["tcp"]);
  // the host knows the victim (its neighbour entries exist), and would take a new MAC at once (no lock time)
  writeFileSync(`/proc/sys/net/ipv4/neigh/${bridge}/locktime`, "0");
  assert.equal(ask("tcp", v.ip, 8080), gw4, `host -> ${victim} over IPv4`);
  assert.equal(ask("tcp", v.ip6, 8080), gw6, `host -> ${victim} over IPv6`);
  assert.equal(neighbourMac(v.ip, bridge), v.mac);
  assert.equal(neighbourMac(v.ip6, bridge), v.mac);
  const own = { ethSrc: x.mac, ethDst: brMac };
  const tag = (what: string) => `${net} ${what}`;
  sendFrames(xNs, "eth0", [
    udp4({ ethSrc: v.mac, ethDst: brMac }, { src: x.ip, dst: gw4, sport: 5000, dport: 9730, data: tag("mac") }),
    udp4(own, { src: v.ip, dst: gw4, sport: 5000, dport: 9730, data: tag("ip4") }),
    udp6(own, { src: v.ip6, dst: gw6, sport: 5000, dport: 9730, data: tag("ip6") }),
    arpReply(own, { senderMac: x.mac, senderIp: v.ip, targetMac: brMac, targetIp: gw4 }),
    neighbourAdvert({ ethSrc: x.mac, ethDst: "33:33:00:00:00:01" }, { src: x.ip6, target: v.ip6, lladdr: x.mac }),
    udp4(own, { src: x.ip, dst: gw4, sport: 5000, dport: 9730, data: tag("control4") }),
    udp6(own, { src: x.ip6, dst: gw6, sport: 5000, dport: 9730, data: tag("control6") }),
  ]);
  const end = Date.now() + 5000;
  while (!(rec.seen.has(tag("control4")) && rec.seen.has(tag("control6")))) {
    if (Date.now() > end) throw new Error(`the attacker's own datagrams did not arrive on ${net}: ${JSON.stringify([...rec.seen])}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(rec.seen.get(tag("control4")), x.ip, "control: the attacker's own IPv4 datagram arrives from its address");
  assert.equal(rec.seen.get(tag("control6")), x.ip6, "control: the attacker's own IPv6 datagram arrives from its address");
  const through = (yes: boolean) => (yes ? "through" : "dropped");
  return {
    "frame from the victim's MAC": through(rec.seen.has(tag("mac"))),
    "IPv4 datagram from the victim's address": through(rec.seen.get(tag("ip4")) === v.ip),
    "IPv6 datagram from the victim's address": through(rec.seen.get(tag("ip6")) === v.ip6),
    "ARP reply: the victim's IPv4 address is at the attacker's MAC": through(neighbourMac(v.ip, bridge) === x.mac),
    "neighbour advertisement: the victim's IPv6 address is at the attacker's MAC": through(neighbourMac(v.ip6, bridge) === x.mac),
  };
}

test("matrix: a NET_RAW container cannot pose as its neighbour (source MAC, ARP reply, IPv4 and IPv6 source, neighbour advertisement); spoof_filter=false lets it", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--ipv6", "net-s");
  b.ok("network", "create", "--ipv6", "--opt", "spoof_filter=false", "net-o");
  for (const [name, net] of [
    ["v1", "net-s"],
    ["x1", "net-s"],
    ["v2", "net-o"],
    ["x2", "net-o"],
  ] as const)
    b.ok("run", "-d", "--name", name, "--network", net, ...ECHO);
  const rec = await udpRecorder(9730);
  try {
    const filtered = await spoofAttempts("net-s", "v1", "x1", rec);
    assert.deepEqual(filtered, Object.fromEntries(Object.keys(filtered).map((k) => [k, "dropped"])), "every forgery is dropped at the bridge port");
    // the victim keeps its traffic: the host still reaches it, over both families
    assert.equal(ask("tcp", b.ip("v1"), 8080), gatewayOf(bridgeOf("net-s"), 4), "host -> v1 after the attempts");
    const opted = await spoofAttempts("net-o", "v2", "x2", rec);
    assert.deepEqual(opted, Object.fromEntries(Object.keys(opted).map((k) => [k, "through"])), "with spoof_filter=false nothing is filtered");
    assert.equal(ask("tcp", b.ip("v2"), 8080, undefined, 1000), undefined, "and the host's traffic for v2 went to x2");
  } finally {
    rec.close();
    b.run("rm", "-f", "v1", "x1", "v2", "x2");
    b.run("network", "rm", "net-s", "net-o");
  }
});

test("the bridge ports' filters come back with `berth system reconcile` after `nft flush ruleset`, and go with the container", (t) => {
  if (!requireSandbox(t)) return;
  const ports = () => spawnSync("nft", ["list", "set", "bridge", "berth", "guarded_ports"], { encoding: "utf8" }).stdout;
  b.ok("network", "create", "net-r");
  b.ok("run", "-d", "--name", "r1", "--network", "net-r", ...ECHO);
  try {
    const veth = (JSON.parse(spawnSync("ip", ["-j", "link", "show", "master", bridgeOf("net-r")], { encoding: "utf8" }).stdout) as { ifname: string }[])[0]
      ?.ifname;
    assert.match(veth ?? "", /^bth/);
    assert.match(ports(), new RegExp(`"${veth ?? ""}"`), "filtered once attached");
    assert.equal(spawnSync("nft", ["flush", "ruleset"]).status, 0);
    assert.doesNotMatch(ports(), /bth/, "gone with the ruleset");
    b.ok("system", "reconcile");
    assert.match(ports(), new RegExp(`"${veth ?? ""}"`), "reconcile put it back");
    b.ok("rm", "-f", "r1");
    assert.doesNotMatch(ports(), /bth/, "rm took it out");
  } finally {
    b.run("rm", "-f", "r1");
    b.run("network", "rm", "net-r");
  }
});
