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
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { ECHO, askAll, waitListening, type Probe } from "../echo.js";
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
