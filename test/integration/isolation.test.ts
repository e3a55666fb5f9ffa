// Who can reach whom, as a matrix over TCP and UDP: networks A and B
// (custom, isolated from each other), C (--internal), the host (the
// sandbox), an outside machine (a namespace behind the host), and ports
// published on 0.0.0.0 and on one host address. Every pair that must
// connect does; every pair that must not, does not. The same matrix runs
// again over IPv6 with dual-stack networks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO, ask } from "../echo.js";
import { HOST_ADDR, HOST_ADDR2, HOST_ADDR6, HOST_ADDR6_2, OUTSIDE_ADDR, OUTSIDE_ADDR6, makeOutside, type Outside } from "../outside.js";

let b: BerthSandbox;
let outside: Outside | undefined;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  outside = makeOutside(b.root, { defaultRoute: true, ipv6: true });
});

after(() => {
  if (!b) return;
  outside?.remove();
  b.dispose();
});

interface Case {
  readonly from: string;
  readonly to: string;
  readonly reach: boolean;
  /** The source address the server must see (when reachable). */
  readonly seenAs?: string | undefined;
}

test("isolation and exposure matrix over TCP and UDP", (t) => {
  if (!requireSandbox(t) || !outside) return;
  b.ok("network", "create", "net-a");
  b.ok("network", "create", "net-b");
  b.ok("network", "create", "net-c", "--internal");
  b.ok("run", "-d", "--name", "a1", "--network", "net-a", "-p", "9700:8080", "-p", "9700:8080/udp", "-p", `${HOST_ADDR}:9701:8080`, "-p", `${HOST_ADDR}:9701:8080/udp`, ...ECHO);
  b.ok("run", "-d", "--name", "a2", "--network", "net-a", ...ECHO);
  b.ok("run", "-d", "--name", "b1", "--network", "net-b", ...ECHO);
  b.ok("run", "-d", "--name", "c1", "--network", "net-c", ...ECHO);
  b.ok("run", "-d", "--name", "c2", "--network", "net-c", ...ECHO);
  const ip: Record<string, string> = Object.fromEntries(["a1", "a2", "b1", "c1", "c2"].map((n) => [n, b.ip(n)]));
  const ns: Record<string, string | undefined> = { ...Object.fromEntries(["a1", "a2", "b1", "c1", "c2"].map((n) => [n, b.netns(n)])), host: undefined, outside: outside.ns };
  // a server on the outside machine, for egress checks
  const echoOutside = spawn("nsenter", [`--net=${outside.ns}`, ...ECHO], { stdio: "ignore" });
  try {
    spawnSync("sleep", ["0.8"]);
    const target = (name: string) => (name === "outside" ? OUTSIDE_ADDR : ip[name] ?? name);
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
    for (const proto of ["tcp", "udp"] as const) {
      for (const c of cases) {
        const seen = ask(proto, target(c.to), 8080, ns[c.from], c.reach ? undefined : NO);
        const what = `${proto} ${c.from} -> ${c.to}`;
        if (!c.reach) assert.equal(seen, undefined, `${what} must not connect`);
        else if (c.seenAs) assert.equal(seen, c.seenAs, `${what} connects, seen as ${c.seenAs}`);
        else assert.ok(seen, `${what} connects`);
      }
      // published on 0.0.0.0: every host address, from outside (real client address), the host and another network
      assert.equal(ask(proto, HOST_ADDR, 9700, outside.ns), OUTSIDE_ADDR, `${proto} outside -> ${HOST_ADDR}:9700`);
      assert.equal(ask(proto, HOST_ADDR2, 9700, outside.ns), OUTSIDE_ADDR, `${proto} outside -> ${HOST_ADDR2}:9700`);
      assert.ok(ask(proto, "127.0.0.1", 9700), `${proto} host -> 127.0.0.1:9700`);
      assert.ok(ask(proto, HOST_ADDR, 9700, ns["b1"]), `${proto} b1 (other network) -> ${HOST_ADDR}:9700`);
      // published on one host address: only there
      assert.equal(ask(proto, HOST_ADDR, 9701, outside.ns), OUTSIDE_ADDR, `${proto} outside -> ${HOST_ADDR}:9701`);
      assert.equal(ask(proto, HOST_ADDR2, 9701, outside.ns, NO), undefined, `${proto} outside -> ${HOST_ADDR2}:9701 must not connect`);
      assert.equal(ask(proto, "127.0.0.1", 9701, undefined, NO), undefined, `${proto} host -> 127.0.0.1:9701 must not connect`);
    }
  } finally {
    echoOutside.kill("SIGKILL");
    b.run("rm", "-f", "a1", "a2", "b1", "c1", "c2");
    b.run("network", "rm", "net-a", "net-b", "net-c");
  }
});

test("isolation and exposure matrix over IPv6 (dual-stack networks), TCP and UDP", (t) => {
  if (!requireSandbox(t) || !outside) return;
  b.ok("network", "create", "--ipv6", "net6-a");
  b.ok("network", "create", "--ipv6", "net6-b");
  b.ok("network", "create", "--ipv6", "net6-c", "--internal");
  b.ok("run", "-d", "--name", "a1", "--network", "net6-a", "-p", "9710:8080", "-p", "9710:8080/udp", "-p", `[${HOST_ADDR6}]:9711:8080`, "-p", `[${HOST_ADDR6}]:9711:8080/udp`, ...ECHO);
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
    spawnSync("sleep", ["0.8"]);
    const target = (name: string) => (name === "outside" ? OUTSIDE_ADDR6 : ip[name] ?? name);
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
    for (const proto of ["tcp", "udp"] as const) {
      for (const c of cases) {
        const seen = ask(proto, target(c.to), 8080, ns[c.from], c.reach ? undefined : NO);
        const what = `${proto} ${c.from} -> ${c.to} over IPv6`;
        if (!c.reach) assert.equal(seen, undefined, `${what} must not connect`);
        else if (c.seenAs) assert.equal(seen, c.seenAs, `${what} connects, seen as ${c.seenAs}`);
        else assert.ok(seen, `${what} connects`);
      }
      // egress leaves with one of the host's IPv6 addresses (masquerade)
      assert.ok(hostSide.includes(ask(proto, OUTSIDE_ADDR6, 8080, ns["a1"]) ?? ""), `${proto} a1 -> outside is masqueraded`);
      // published on :: (bare -p): every host IPv6 address, real client address, and from another network
      assert.equal(ask(proto, HOST_ADDR6, 9710, outside.ns), OUTSIDE_ADDR6, `${proto} outside -> [${HOST_ADDR6}]:9710`);
      assert.equal(ask(proto, HOST_ADDR6_2, 9710, outside.ns), OUTSIDE_ADDR6, `${proto} outside -> [${HOST_ADDR6_2}]:9710`);
      assert.ok(ask(proto, HOST_ADDR6, 9710, ns["b1"]), `${proto} b1 (other network) -> [${HOST_ADDR6}]:9710`);
      // ...and IPv4 still, the same bare -p
      assert.equal(ask(proto, HOST_ADDR, 9710, outside.ns), OUTSIDE_ADDR, `${proto} outside -> ${HOST_ADDR}:9710 (IPv4 of the same -p)`);
      // ::1 is never DNATed (the kernel cannot route it into a bridge): nothing answers there
      assert.equal(ask(proto, "::1", 9710, undefined, NO), undefined, `${proto} host -> [::1]:9710 is not forwarded`);
      // published on one IPv6 host address: only there
      assert.equal(ask(proto, HOST_ADDR6, 9711, outside.ns), OUTSIDE_ADDR6, `${proto} outside -> [${HOST_ADDR6}]:9711`);
      assert.equal(ask(proto, HOST_ADDR6_2, 9711, outside.ns, NO), undefined, `${proto} outside -> [${HOST_ADDR6_2}]:9711 must not connect`);
      assert.equal(ask(proto, HOST_ADDR2, 9711, outside.ns, NO), undefined, `${proto} outside -> ${HOST_ADDR2}:9711 (IPv4) must not connect`);
    }
  } finally {
    echoOutside.kill("SIGKILL");
    b.run("rm", "-f", "a1", "a2", "b1", "c1", "c2");
    b.run("network", "rm", "net6-a", "net6-b", "net6-c");
  }
});
