// IPv6 end to end on the real kernel: a dual-stack network (--ipv6) and an
// IPv6-only one (--subnet with only an IPv6 prefix). Addresses, routes and
// inspect fields, ping6 and echo between containers, egress masquerade, a
// published port reached over IPv6 from another namespace, AAAA and
// ip6.arpa PTR answers from the resolver on the IPv6 gateway, --ip6, and
// the refusal of -p [::1]:... with its reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { ECHO, ask } from "../echo.js";
import { HOST_ADDR6, HOST_ADDR6_2, OUTSIDE_ADDR6, sandboxWithOutside, type Outside } from "../outside.js";

let b: BerthSandbox;
let outside: Outside | undefined;

sandboxWithOutside({ defaultRoute: true, ipv6: true }, (sandbox, out) => {
  b = sandbox;
  outside = out;
});

function field(name: string, template: string): string {
  return b.ok("inspect", "-f", template, name).trim();
}

function ip6(name: string): string {
  return field(name, "{{.NetworkSettings.GlobalIPv6Address}}");
}

function ping6(netns: string, to: string): boolean {
  return spawnSync("nsenter", [`--net=${netns}`, "ping", "-6", "-c1", "-W2", to], { encoding: "utf8" }).status === 0;
}

test("ipv6: dual-stack and IPv6-only networks, addresses, routes, ping6, echo, egress, published ports and DNS", (t) => {
  if (!requireSandbox(t) || !outside) return;
  const echoOutside = spawn("nsenter", [`--net=${outside.ns}`, ...ECHO], { stdio: "ignore" });
  try {
    b.ok("network", "create", "--ipv6", "dual");
    b.ok("network", "create", "--subnet", "fd00:b6:1::/64", "only6");
    const dual = JSON.parse(b.ok("network", "inspect", "dual")) as { subnets: { subnet: string; gateway: string }[]; ipv6_enabled: boolean }[];
    const subnets = dual[0]?.subnets ?? [];
    assert.equal(subnets.length, 2, "dual-stack: one subnet per family");
    assert.match(subnets[1]?.subnet ?? "", /^fd[0-9a-f]{2}:[0-9a-f:]+::\/64$/, "auto-chosen unique local /64");
    assert.equal(dual[0]?.ipv6_enabled, true);
    const gw6 = subnets[1]?.gateway ?? "";

    b.ok("run", "-d", "--name", "a1", "--network", "dual", "-p", "9800:8080", "-p", "9800:8080/udp", "-p", `[${HOST_ADDR6}]:9801:8080`, ...ECHO);
    b.ok("run", "-d", "--name", "a2", "--network", "dual", "--ip6", subnets[1]?.subnet.replace("::/64", "::99") ?? "", ...ECHO);
    b.ok("run", "-d", "--name", "o1", "--network", "only6", ...ECHO);
    b.ok("run", "-d", "--name", "o2", "--network", "only6", "sleep", "600");

    // every inspect is a berth process: look each address up once
    const v6 = { a1: ip6("a1"), a2: ip6("a2"), o1: ip6("o1"), o2: ip6("o2") };
    const nsOf = { a1: b.netns("a1"), a2: b.netns("a2"), o1: b.netns("o1"), o2: b.netns("o2") };
    // inspect: Docker's fields; the IPv6-only container has no IPv4 address
    assert.match(b.ip("a1"), /^10\./);
    assert.equal(field("a1", "{{.NetworkSettings.IPv6Gateway}}"), gw6);
    assert.equal(field("a1", "{{.NetworkSettings.GlobalIPv6PrefixLen}}"), "64");
    assert.equal(v6.a2, subnets[1]?.subnet.replace("::/64", "::99"), "--ip6 is honoured");
    assert.equal(b.ip("o1"), "", "IPv6-only: no IPv4 address");
    assert.equal(v6.o1, "fd00:b6:1::2", "first address after the ::1 gateway");
    assert.equal(field("o1", "{{.NetworkSettings.IPv6Gateway}}"), "fd00:b6:1::1");

    // kernel: the addresses are usable at once (no DAD, not tentative), default routes for both families
    const addrs = b.inNetns(nsOf.a1, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global").stdout;
    assert.match(addrs, new RegExp(`inet6 ${v6.a1}/64`));
    assert.doesNotMatch(addrs, /tentative/);
    assert.match(b.inNetns(nsOf.a1, "ip", "-6", "route", "show", "default").stdout, new RegExp(`default via ${gw6} dev eth0`));
    assert.match(b.inNetns(nsOf.a1, "ip", "-4", "route", "show", "default").stdout, /default via 10\./);
    assert.match(b.inNetns(nsOf.o1, "ip", "-6", "route", "show", "default").stdout, /default via fd00:b6:1::1 dev eth0/);
    assert.equal(b.inNetns(nsOf.o1, "ip", "-4", "route", "show", "default").stdout.trim(), "", "IPv6-only: no IPv4 default route");

    // ping6 and echo between containers of one network, real source addresses
    assert.ok(ping6(nsOf.a2, v6.a1), "ping6 a2 -> a1");
    assert.ok(ping6(nsOf.o2, v6.o1), "ping6 o2 -> o1");
    assert.ok(ping6(nsOf.a1, gw6), "ping6 a1 -> its gateway");
    for (const proto of ["tcp", "udp"] as const) {
      assert.equal(ask(proto, v6.a1, 8080, nsOf.a2), v6.a2, `${proto} a2 -> a1 over IPv6`);
      assert.equal(ask(proto, v6.o1, 8080, nsOf.o2), v6.o2, `${proto} o2 -> o1 over IPv6`);
      // egress over IPv6: masqueraded to the host's address
      // (the kernel's source address selection may pick either of the host's two addresses on that link)
      const hostSide = [HOST_ADDR6, HOST_ADDR6_2];
      assert.ok(hostSide.includes(ask(proto, OUTSIDE_ADDR6, 8080, nsOf.a1) ?? ""), `${proto} a1 -> outside over IPv6, masqueraded`);
      assert.ok(hostSide.includes(ask(proto, OUTSIDE_ADDR6, 8080, nsOf.o1) ?? ""), `${proto} o1 -> outside over IPv6, masqueraded`);
      // a bare -p publishes on :: too: reachable from outside over IPv6 on every host IPv6 address, real client address
      assert.equal(ask(proto, HOST_ADDR6, 9800, outside.ns), OUTSIDE_ADDR6, `${proto} outside -> [${HOST_ADDR6}]:9800`);
      assert.equal(ask(proto, HOST_ADDR6_2, 9800, outside.ns), OUTSIDE_ADDR6, `${proto} outside -> [${HOST_ADDR6_2}]:9800`);
      // and from another network's container (hairpin-free path through the host address)
      assert.ok(ask(proto, HOST_ADDR6, 9800, nsOf.o2), `${proto} o2 (other network) -> [${HOST_ADDR6}]:9800`);
    }
    // published on one IPv6 host address: only there
    assert.equal(ask("tcp", HOST_ADDR6, 9801, outside.ns), OUTSIDE_ADDR6, "outside -> [HOST_ADDR6]:9801");
    assert.equal(ask("tcp", HOST_ADDR6_2, 9801, outside.ns, 1000), undefined, "outside -> [HOST_ADDR6_2]:9801 must not connect");
    // hairpin over IPv6: a1 reaches its own published port through the host's address
    assert.ok(ask("tcp", HOST_ADDR6, 9800, nsOf.a1), "hairpin a1 -> [HOST_ADDR6]:9800");
    const port = b.ok("port", "a1");
    assert.match(port, /8080\/tcp -> 0\.0\.0\.0:9800/);
    assert.match(port, /8080\/tcp -> \[::\]:9800/);

    // DNS: AAAA for names on the network, PTR under ip6.arpa, the resolver answers on the IPv6 gateway
    const aaaa = b.run("exec", "a2", "getent", "ahostsv6", "a1");
    assert.equal(aaaa.code, 0, `getent ahostsv6 a1: ${aaaa.stderr}`);
    assert.match(aaaa.stdout, new RegExp(`^${v6.a1}\\s`, "m"), "AAAA answer");
    const v6only = b.run("exec", "o2", "getent", "ahostsv6", "o1");
    assert.match(v6only.stdout, /^fd00:b6:1::2\s/m, "AAAA on an IPv6-only network (resolver on fd00:b6:1::1)");
    assert.match(b.ok("exec", "o2", "cat", "/etc/resolv.conf"), /^nameserver fd00:b6:1::1$/m);
    const ptr = b.run("exec", "o2", "getent", "hosts", "fd00:b6:1::2");
    assert.match(ptr.stdout, /o1\.dns\.berth/, "PTR for an IPv6 address");
  } finally {
    echoOutside.kill("SIGKILL");
    b.run("rm", "-f", "a1", "a2", "o1", "o2");
    b.run("network", "rm", "dual", "only6");
  }
  assert.deepEqual(
    b.leftovers().filter((l) => !l.startsWith("nft")),
    [],
    "no veth, bridge or namespace left",
  );
  assert.doesNotMatch(
    spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout,
    /fd00:b6:1::|9800/,
    "no IPv6 subnet or port mapping left in nft",
  );
});

test("ipv6: -p [::1]:... is refused with the kernel's reason; families must match the network", (t) => {
  if (!requireSandbox(t)) return;
  const r = b.run("run", "-d", "--name", "lo6", "-p", "[::1]:9810:8080", "sleep", "600");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot forward connections from ::1 into a container/);
  assert.match(r.stderr, /127\.0\.0\.1/, "the hint names the alternative");
  const v4only = b.run("run", "-d", "--name", "v4", "-p", "[::]:9811:8080", "sleep", "600");
  assert.notEqual(v4only.code, 0);
  assert.match(v4only.stderr, /no IPv6 subnet/);
  const twice = b.run("network", "create", "--subnet", "fd00:1::/64", "--subnet", "fd00:2::/64", "bad");
  assert.match(twice.stderr, /given twice for IPv6/);
  b.ok("network", "create", "--subnet", "10.77.0.0/24", "--subnet", "fd00:77::/64", "both");
  try {
    const overlap = b.run("network", "create", "--subnet", "fd00:77::/48", "clash");
    assert.match(overlap.stderr, /overlaps network "both"/);
  } finally {
    b.run("network", "rm", "both");
  }
  assert.equal(b.run("ps", "-a", "-q").stdout.trim(), "", "nothing half-made");
});
