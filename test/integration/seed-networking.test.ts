// The seed tutorial's sections, done with berth on the real kernel inside the
// test sandbox, checking that packets really flow (or are really blocked).
// Each test has its own BERTH_ROOT and makes what it uses, so any one of them
// runs alone and none depends on another's leftovers.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { waitListening } from "../echo.js";

const HTTPD = (name: string) => ["sh", "-c", `echo hello from ${name} > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp`];

/** A Berth of the test's own, reset when the test ends (pass or fail). */
function berth(t: TestContext): BerthSandbox {
  const b = new BerthSandbox();
  t.after(() => b.dispose());
  return b;
}

/** `berth run -d --name NAME ... HTTPD` and wait until it listens on 8080. */
function httpd(b: BerthSandbox, name: string, ...opts: string[]): void {
  b.ok("run", "-d", "--name", name, ...opts, ...HTTPD(name));
  waitListening(b.netns(name), 8080, ["tcp"]);
}

// curl's exit codes: 28 = timed out (the packets were dropped), 7 = refused.
const CURL_TIMED_OUT = 28;
// ping's exit codes: 1 = no reply, 2 = any other error.
const PING_NO_REPLY = 1;

test("Network namespaces: --network none has only loopback, and it is up", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  b.ok("run", "-d", "--name", "lonely", "--network", "none", "sleep", "600");
  const ns = b.netns("lonely");
  const links = JSON.parse(b.inNetns(ns, "ip", "-j", "link", "show").stdout) as { ifname: string; operstate: string; flags: string[] }[];
  assert.deepEqual(
    links.map((l) => l.ifname),
    ["lo"],
  );
  assert.ok(links[0]?.flags.includes("UP"), "lo is up");
  assert.equal(b.inNetns(ns, "ping", "-c1", "-W1", "127.0.0.1").code, 0, "ping 127.0.0.1 inside");
});

test("veth pairs: a container's eth0 is the peer of a host veth on the bridge, and the host reaches it", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  httpd(b, "web");
  const ip = b.ip("web");
  assert.match(ip, /^10\.88\.[0-9]+\.[0-9]+$/, "default network 10.88.0.0/16");
  const hostVeths = JSON.parse(spawnSync("ip", ["-j", "link", "show", "type", "veth"], { encoding: "utf8" }).stdout) as {
    ifname: string;
    master?: string;
    link_index?: number;
  }[];
  const veth = hostVeths.find((l) => l.ifname.startsWith("bth"));
  assert.equal(veth?.master, "berth0", "host end enslaved to berth0");
  const inner = JSON.parse(b.inNetns(b.netns("web"), "ip", "-j", "addr", "show", "eth0").stdout) as {
    addr_info: { local: string; prefixlen: number }[];
    link_index?: number;
  }[];
  assert.equal(inner[0]?.addr_info.find((a) => a.local === ip)?.prefixlen, 16);
  assert.equal(spawnSync("ping", ["-c1", "-W2", ip]).status, 0, "host pings the container");
  const curl = spawnSync("curl", ["-s", "--max-time", "5", `http://${ip}:8080/`], { encoding: "utf8" });
  assert.equal(curl.stdout.trim(), "hello from web");
});

test("Bridge networking: two containers on one network reach each other", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  httpd(b, "web");
  b.ok("run", "-d", "--name", "app", "sleep", "600");
  const r = b.run("exec", "app", "curl", "-s", "--max-time", "3", `http://${b.ip("web")}:8080/`);
  assert.equal(r.stdout.trim(), "hello from web", r.stderr);
  assert.equal(b.run("exec", "app", "ping", "-c1", "-W2", b.ip("web")).code, 0);
});

test("The bridge keeps its own MAC as containers come and go, so no container loses its gateway", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  const macOf = (args: string[]) =>
    (JSON.parse(spawnSync("ip", ["-j", "link", "show", ...args], { encoding: "utf8" }).stdout) as { address: string }[]).map((l) => l.address);
  b.ok("run", "-d", "--name", "first", "sleep", "600");
  const before = macOf(["dev", "berth0"])[0];
  for (const n of ["mac1", "mac2", "mac3"]) b.ok("run", "-d", "--name", n, "sleep", "600");
  const ports = macOf(["master", "berth0"]);
  assert.equal(ports.length, 4, "the containers' veths are ports of berth0");
  assert.equal(macOf(["dev", "berth0"])[0], before, "same MAC after joins");
  assert.ok(!ports.includes(before ?? ""), "not borrowed from a port (a bridge without its own MAC takes its lowest port's)");
  b.ok("rm", "-f", "mac1", "mac2", "mac3");
  assert.equal(macOf(["dev", "berth0"])[0], before, "same MAC after leaves");
});

test("Multiple network attachment: eth0 and eth1 with an address each, one default route; connect adds eth2", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  b.ok("network", "create", "mynetwork");
  b.ok("network", "create", "public", "--subnet", "192.168.77.0/24");
  b.ok("network", "create", "backend");
  httpd(b, "myhttpd", "--network", "mynetwork,public");
  const ns = b.netns("myhttpd");
  const addrs = JSON.parse(b.inNetns(ns, "ip", "-j", "-4", "addr").stdout) as { ifname: string; addr_info: { local: string }[] }[];
  const byIf = Object.fromEntries(addrs.map((a) => [a.ifname, a.addr_info[0]?.local]));
  assert.match(byIf["eth0"] ?? "", /^10\.89\./);
  assert.match(byIf["eth1"] ?? "", /^192\.168\.77\./);
  const routes = JSON.parse(b.inNetns(ns, "ip", "-j", "route").stdout) as { dst: string }[];
  assert.equal(routes.filter((r) => r.dst === "default").length, 1, "exactly one default route");
  b.ok("network", "connect", "backend", "myhttpd");
  const after = JSON.parse(b.inNetns(ns, "ip", "-j", "-4", "addr").stdout) as { ifname: string }[];
  assert.ok(
    after.some((a) => a.ifname === "eth2"),
    "eth2 after connect",
  );
  const nets = JSON.parse(b.ok("inspect", "-f", "{{json .NetworkSettings.Networks}}", "myhttpd")) as Record<string, { IPAddress: string }>;
  assert.deepEqual(Object.keys(nets).sort(), ["backend", "mynetwork", "public"]);
  // same port, different interfaces: the server answers on every address
  for (const [name, ep] of Object.entries(nets)) {
    const curl = spawnSync("curl", ["-s", "--max-time", "5", `http://${ep.IPAddress}:8080/`], { encoding: "utf8" });
    assert.equal(curl.stdout.trim(), "hello from myhttpd", `port 8080 on ${name}`);
  }
  const inspect = JSON.parse(b.ok("network", "inspect", "backend")) as { containers: Record<string, { name: string }> }[];
  assert.deepEqual(
    Object.values(inspect[0]?.containers ?? {}).map((c) => c.name),
    ["myhttpd"],
  );
  b.ok("network", "disconnect", "backend", "myhttpd");
  const gone = JSON.parse(b.inNetns(ns, "ip", "-j", "-4", "addr").stdout) as { ifname: string }[];
  assert.ok(!gone.some((a) => a.ifname === "eth2"), "eth2 gone after disconnect");
});

test("Network segmentation: frontend cannot reach backend; a container on both reaches each", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  b.ok("network", "create", "frontend");
  b.ok("network", "create", "backend");
  httpd(b, "database", "--network", "backend");
  httpd(b, "frontweb", "--network", "frontend");
  b.ok("run", "-d", "--name", "webserver", "--network", "frontend,backend", "sleep", "600");
  b.ok("run", "-d", "--name", "client", "--network", "frontend", "sleep", "600");
  const db = b.ip("database");
  const ok = b.run("exec", "webserver", "curl", "-s", "--max-time", "3", `http://${db}:8080/`);
  assert.equal(ok.stdout.trim(), "hello from database", "a container on both networks reaches the backend");
  // the client itself works: it reaches a server on its own network, with the same tools
  const own = b.run("exec", "client", "curl", "-s", "--max-time", "3", `http://${b.ip("frontweb")}:8080/`);
  assert.equal(own.stdout.trim(), "hello from frontweb", `the client reaches its own network (stderr: ${own.stderr})`);
  assert.equal(b.run("exec", "client", "ping", "-c1", "-W1", b.ip("frontweb")).code, 0);
  // and the backend is silent to it: dropped (a timeout), not refused or a tool error
  const blocked = b.run("exec", "client", "curl", "-s", "--max-time", "2", `http://${db}:8080/`);
  assert.equal(blocked.code, CURL_TIMED_OUT, `client on frontend must not reach the backend database (curl exit ${blocked.code}: ${blocked.stderr})`);
  const pingBlocked = b.run("exec", "client", "ping", "-c1", "-W1", db);
  assert.equal(pingBlocked.code, PING_NO_REPLY, `no reply to ping across networks (exit ${pingBlocked.code}: ${pingBlocked.stderr})`);
});

test("Network modes: host sees the host's interfaces; container:NAME shares localhost", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  httpd(b, "web");
  const host = b.run("run", "--rm", "--network", "host", "ip", "-br", "link", "show", "berth0");
  assert.equal(host.code, 0, host.stderr);
  assert.match(host.stdout, /berth0/);
  b.ok("run", "-d", "--name", "sidecar", "--network", "container:web", "sleep", "600");
  const r = b.run("exec", "sidecar", "curl", "-s", "--max-time", "3", "http://127.0.0.1:8080/");
  assert.equal(r.stdout.trim(), "hello from web");
  assert.equal(b.netns("sidecar"), b.netns("web"));
  const fg = b.run("run", "--rm", "--network", "none", "sh", "-c", "exit 7");
  assert.equal(fg.code, 7, `a foreground run exits with the command's exit code (stderr: ${fg.stderr})`);
});

test("system reset -f removes every interface, namespace, rule and process Berth made", (t) => {
  if (!requireSandbox(t)) return;
  const b = berth(t);
  b.ok("network", "create", "resetnet");
  httpd(b, "r1", "-p", "9190:8080");
  b.ok("run", "-d", "--name", "r2", "--network", "resetnet,berth", "sleep", "600");
  b.ok("run", "-d", "--name", "r3", "--network", "none", "sleep", "600");
  const made = b.leftovers();
  for (const kind of ["link berth0", "link berth1", "nft table inet berth", "netns ", "process "]) {
    assert.ok(
      made.some((l) => l.startsWith(kind)),
      `made: ${kind} (${made.join(", ")})`,
    );
  }
  b.ok("system", "reset", "-f");
  assert.deepEqual(b.leftovers(), []);
});
