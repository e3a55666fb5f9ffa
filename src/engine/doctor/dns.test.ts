import { test } from "node:test";
import assert from "node:assert/strict";
import { bindsGateway, dnsFindings, type BoundSocket } from "./dns.js";
import { resolverPort } from "../../dns/index.js";
import { net } from "./fixtures.test-support.js";
import type { HostSocket } from "../../kernel/proc/host-sockets.js";

const sock = (address: string, proto: "udp" | "tcp" = "udp", port = 53): HostSocket => ({ proto, address, port, inode: 1 });
const inUse = [{ network: net("web"), containers: 1 }];

test("resolverPort() is 53 unless BERTH_DNS_PORT is a valid port, as the daemon reads it", () => {
  assert.equal(resolverPort({}), 53);
  assert.equal(resolverPort({ BERTH_DNS_PORT: "5353" }), 5353);
  assert.equal(resolverPort({ BERTH_DNS_PORT: "99999" }), 53);
});

test("bindsGateway() counts the gateway address and wildcards, on the right port", () => {
  assert.ok(bindsGateway(sock("10.89.0.1"), "10.89.0.1", 53));
  assert.ok(bindsGateway(sock("0.0.0.0"), "10.89.0.1", 53));
  assert.ok(bindsGateway(sock("::"), "10.89.0.1", 53));
  assert.ok(!bindsGateway(sock("127.0.0.53"), "10.89.0.1", 53));
  assert.ok(!bindsGateway(sock("10.89.0.1", "udp", 5353), "10.89.0.1", 53));
});

test("no resolver while a DNS network has containers is DNS_RESOLVER_DOWN; without containers or DNS, nothing", () => {
  const f = dnsFindings({ inUse, resolverPid: undefined, port: 53, bound: () => [] });
  assert.deepEqual(
    f.map((x) => [x.code, x.severity, x.fix]),
    [["DNS_RESOLVER_DOWN", "error", "berth system reconcile"]],
  );
  assert.match(f[0]?.evidence ?? "", /web \(gateway 10\.89\.0\.1\)/);
  assert.deepEqual(dnsFindings({ inUse: [], resolverPid: undefined, port: 53, bound: () => [] }), []);
  assert.deepEqual(
    dnsFindings({ inUse: [{ network: net("d", { dnsEnabled: false }), containers: 3 }], resolverPid: undefined, port: 53, bound: () => [] }),
    [],
  );
});

test("another process on the gateway's port 53 is DNS_PORT_TAKEN naming it; the resolver's own sockets are fine", () => {
  const bound: BoundSocket[] = [
    { socket: sock("10.89.0.1"), owner: { pid: 100, name: "node" } },
    { socket: sock("0.0.0.0", "tcp"), owner: { pid: 812, name: "dnsmasq" } },
  ];
  const f = dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => bound });
  assert.deepEqual(
    f.map((x) => x.code),
    ["DNS_PORT_TAKEN"],
  );
  assert.match(f[0]?.summary ?? "", /^dnsmasq \(pid 812\) holds tcp port 53 on 0\.0\.0\.0/);
  assert.match(f[0]?.fix ?? "", /kill 812/);
  assert.deepEqual(dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => [bound[0] as BoundSocket] }), []);
});

test("a running resolver with no socket on a gateway is DNS_NOT_LISTENING", () => {
  const f = dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => [] });
  assert.deepEqual(
    f.map((x) => x.code),
    ["DNS_NOT_LISTENING"],
  );
  assert.equal(f[0]?.evidence, "no udp socket on 10.89.0.1:53 in /proc/net/udp");
});

test("a listening resolver that does not answer a container's query is DNS_NOT_SERVING; an answer of any other rcode is fine", () => {
  const bound: BoundSocket[] = [{ socket: sock("10.89.0.1"), owner: { pid: 100, name: "node" } }];
  const probe = (outcome: { answered: true; rcode: number } | { answered: false }) => () => ({
    container: "a",
    name: "a.dns.berth",
    gateway: "10.89.0.1",
    outcome,
  });
  const silent = dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => bound, probe: probe({ answered: false }) });
  assert.deepEqual(
    silent.map((x) => [x.code, x.severity]),
    [["DNS_NOT_SERVING", "error"]],
  );
  assert.equal(silent[0]?.evidence, "a query for a.dns.berth from inside a to 10.89.0.1:53 got no reply within 2000 ms");
  assert.match(silent[0]?.fix ?? "", /^kill 100 /);
  const refused = dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => bound, probe: probe({ answered: true, rcode: 5 }) });
  assert.match(refused[0]?.evidence ?? "", /got REFUSED$/);
  for (const rcode of [0, 3])
    assert.deepEqual(dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => bound, probe: probe({ answered: true, rcode }) }), [], `rcode ${rcode}`);
  assert.deepEqual(dnsFindings({ inUse, resolverPid: 100, port: 53, bound: () => bound, probe: () => undefined }), [], "no container to ask from");
});
