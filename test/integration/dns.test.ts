// The resolver daemon on the real kernel, inside the test sandbox: two
// bridges with gateway addresses, container namespaces (files under a temp
// dir) wired to them with veth pairs, a fake upstream on the sandbox's
// loopback, and queries sent from inside the container namespaces.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inSandbox, requireSandbox, tempRoot } from "../helpers.js";
import { berthPaths, type BerthPaths } from "../../src/paths.js";
import { ensureResolverRunning, resolverPid, type DnsContainer, type DnsNetwork, type DnsZoneSnapshot } from "../../src/dns/index.js";
import { FakeUpstream } from "../../src/dns/testing/fake-upstream.js";
import { appendJournal } from "../../src/dns/zone-journal.js";
import { processAlive } from "../../src/process-alive.js";
import { DAEMON_MAIN, DnsLab, sh, waitFor } from "../dns-lab.js";

const GW_A = "10.77.1.1";
const GW_B = "10.77.2.1";
const GW_C = "10.77.3.1";
const UPSTREAM = "127.0.0.53";
const DEAD_UPSTREAM = "127.0.0.54";

interface Result {
  rcode?: string;
  answers?: string[];
  ms: number;
}

let root: ReturnType<typeof tempRoot>;
let paths: BerthPaths;
let upstream: FakeUpstream;
let deadUpstream: FakeUpstream;
let lab: DnsLab;
const savedRoot = process.env["BERTH_ROOT"];

const id = (c: string) => c.repeat(64);
const ct = (c: string, name: string, ipv4: string, aliases: string[] = []): DnsContainer => ({ id: id(c), name, aliases, ipv4, dnsServers: [] });
let alpha: DnsNetwork;
let beta: DnsNetwork;

let zoneSerial = 0;

/** Publish a zone as the engine does; returns its serial (see zoneServed). */
function writeZone(networks: DnsNetwork[]): number {
  const file = join(paths.runDir, "dns", "zone.json");
  mkdirSync(join(paths.runDir, "dns"), { recursive: true });
  const zone: DnsZoneSnapshot = { version: 1, serial: ++zoneSerial, networks };
  writeFileSync(`${file}.tmp`, JSON.stringify(zone));
  renameSync(`${file}.tmp`, file);
  return zoneSerial;
}

/** Wait until the daemon says it serves `serial` (zone.loaded), as berth commands do. */
async function zoneServed(serial: number): Promise<void> {
  const loaded = join(paths.runDir, "dns", "zone.loaded");
  await waitFor(`zone serial ${serial} to be served`, () => {
    try {
      return Number(readFileSync(loaded, "utf8")) >= serial;
    } catch {
      return false;
    }
  });
}

async function ask(ns: string, server: string, name: string, type = "A", proto: "udp" | "tcp" = "udp"): Promise<Result> {
  const r = await lab.probe(ns, { server, queries: [{ name, type, proto }] });
  return (r["results"] as Result[])[0] ?? { ms: -1 };
}

let nsWeb: string;
let nsClient: string;
let nsOutsider: string;
let firstPid: number | undefined;

before(async () => {
  if (!inSandbox()) return;
  root = tempRoot("berth-dns-");
  process.env["BERTH_ROOT"] = root.root;
  paths = berthPaths(process.env);
  lab = new DnsLab(root.root);
  lab.bridge("bdns-a", `${GW_A}/24`);
  lab.bridge("bdns-b", `${GW_B}/24`);
  nsWeb = lab.container("web", "bdns-a", "10.77.1.2/24", GW_A);
  nsClient = lab.container("client", "bdns-a", "10.77.1.3/24", GW_A);
  nsOutsider = lab.container("outsider", "bdns-b", "10.77.2.2/24", GW_B);
  upstream = await FakeUpstream.start({ host: UPSTREAM, port: 53 });
  deadUpstream = await FakeUpstream.start({ host: DEAD_UPSTREAM, port: 53, silent: true });
  writeFileSync(join(root.root, "resolv.conf"), `nameserver ${UPSTREAM}\n`);
  alpha = {
    id: "na",
    name: "alpha",
    gateway: GW_A,
    subnet: "10.77.1.0/24",
    dnsServers: [],
    containers: [ct("a", "web", "10.77.1.2", ["www"]), ct("c", "Client", "10.77.1.3")],
  };
  beta = { id: "nb", name: "beta", gateway: GW_B, subnet: "10.77.2.0/24", dnsServers: [], containers: [ct("b", "outsider", "10.77.2.2")] };
  writeZone([alpha, beta]);
  // the daemon these tests share stays when the zone empties (the linger test); the last test starts one that does not
  process.env["BERTH_DNS_LINGER_MS"] = "600000";
  await ensureResolverRunning(paths, [DAEMON_MAIN, join(root.root, "resolv.conf")]);
  firstPid = resolverPid(paths);
});

after(async () => {
  if (!inSandbox()) return;
  const pid = firstPid ?? resolverPid(paths);
  if (pid !== undefined) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await upstream?.close();
  await deadUpstream?.close();
  lab?.dispose();
  delete process.env["BERTH_DNS_LINGER_MS"];
  if (savedRoot === undefined) delete process.env["BERTH_ROOT"];
  else process.env["BERTH_ROOT"] = savedRoot;
  root?.cleanup();
});

test("dns: the daemon starts once, listens on every DNS network's gateway and writes its pid", async (t) => {
  if (!requireSandbox(t)) return;
  assert.ok(firstPid, "resolver.pid names a live process");
  await ensureResolverRunning(paths, [DAEMON_MAIN]);
  assert.equal(resolverPid(paths), firstPid, "a second ensureResolverRunning() keeps the running daemon");
  const udp = sh("ss", "-Hlun", "sport", "=", ":53");
  assert.match(udp, /10\.77\.1\.1:53/);
  assert.match(udp, /10\.77\.2\.1:53/);
  assert.match(sh("ss", "-Hltn", "sport", "=", ":53"), /10\.77\.2\.1:53/);
});

test("dns: containers sharing a network resolve each other by name, alias, short id and FQDN, any case, over UDP and TCP", async (t) => {
  if (!requireSandbox(t)) return;
  const r = await lab.probe(nsClient, {
    server: GW_A,
    queries: [
      { name: "web" },
      { name: "WWW" },
      { name: "aaaaaaaaaaaa" },
      { name: "web.dns.berth" },
      { name: "client", proto: "tcp" },
      { name: "www.dns.berth", proto: "tcp" },
      { name: "web", type: "AAAA" },
      { name: "2.1.77.10.in-addr.arpa", type: "PTR" },
    ],
  });
  const results = r["results"] as Result[];
  assert.deepEqual(
    results.map((x) => [x.rcode, x.answers]),
    [
      ["NOERROR", ["10.77.1.2"]],
      ["NOERROR", ["10.77.1.2"]],
      ["NOERROR", ["10.77.1.2"]],
      ["NOERROR", ["10.77.1.2"]],
      ["NOERROR", ["10.77.1.3"]],
      ["NOERROR", ["10.77.1.2"]],
      ["NOERROR", []],
      ["NOERROR", ["web.dns.berth", "www.dns.berth"]],
    ],
  );
  // a stock client too: busybox nslookup from inside the container
  const ns = spawnSync("nsenter", [`--net=${nsWeb}`, "busybox", "nslookup", "client.dns.berth", GW_A], { encoding: "utf8" });
  assert.match(ns.stdout, /10\.77\.1\.3/, ns.stdout + ns.stderr);
});

test("dns: a name on another network is never leaked: under dns.berth NXDOMAIN and not forwarded, bare it is any outside name", async (t) => {
  if (!requireSandbox(t)) return;
  const seen = upstream.seen.udp;
  const a = await lab.probe(nsOutsider, { server: GW_B, queries: [{ name: "client.dns.berth" }, { name: "2.1.77.10.in-addr.arpa", type: "PTR" }] });
  assert.deepEqual(
    (a["results"] as Result[]).map((x) => x.rcode),
    ["NXDOMAIN", "NXDOMAIN"],
  );
  assert.equal(upstream.seen.udp, seen, "nothing under dns.berth went upstream");
  // a bare name of another network's container is treated as any name the zone does not own (issue 19, finding 10):
  // the answer is the upstream's, the same as for a name nobody has, never the container's address
  const b = await lab.probe(nsOutsider, { server: GW_B, queries: [{ name: "web" }, { name: "aaaaaaaaaaaa" }, { name: "nobody-has-this" }] });
  assert.deepEqual(
    (b["results"] as Result[]).map((x) => [x.rcode, x.answers]),
    [
      ["NOERROR", ["198.51.100.7"]],
      ["NOERROR", ["198.51.100.7"]],
      ["NOERROR", ["198.51.100.7"]],
    ],
  );
  const c = await lab.probe(nsWeb, { server: GW_A, queries: [{ name: "outsider.dns.berth" }] });
  assert.deepEqual(
    (c["results"] as Result[]).map((x) => x.rcode),
    ["NXDOMAIN"],
  );
  // asking the other network's gateway does not help: the client is known by its address
  const d = await lab.probe(nsOutsider, { server: GW_A, queries: [{ name: "web.dns.berth" }, { name: "web" }] });
  assert.deepEqual(
    (d["results"] as Result[]).map((x) => [x.rcode, x.answers]),
    [
      ["NXDOMAIN", []],
      ["NOERROR", ["198.51.100.7"]],
    ],
  );
});

test("dns: other names are forwarded to the host's upstream over the query's own protocol", async (t) => {
  if (!requireSandbox(t)) return;
  const before = { ...upstream.seen };
  const r = await lab.probe(nsClient, { server: GW_A, queries: [{ name: "example.com" }, { name: "example.org", proto: "tcp" }] });
  assert.deepEqual(
    (r["results"] as Result[]).map((x) => [x.rcode, x.answers]),
    [
      ["NOERROR", ["198.51.100.7"]],
      ["NOERROR", ["198.51.100.7"]],
    ],
  );
  assert.deepEqual(upstream.seen, { udp: before.udp + 1, tcp: before.tcp + 1 });
});

test("dns: a change to the host's resolv.conf is picked up without a restart", async (t) => {
  if (!requireSandbox(t)) return;
  const other = await FakeUpstream.start({ host: "127.0.0.55", port: 53, answer: "198.51.100.55" });
  try {
    writeFileSync(join(root.root, "resolv.conf"), "nameserver 127.0.0.55\n");
    await waitFor("the new upstream", async () => (await ask(nsClient, GW_A, "changed.example")).answers?.[0] === "198.51.100.55");
    writeFileSync(join(root.root, "resolv.conf"), `nameserver ${UPSTREAM}\n`);
    await waitFor("the old upstream again", async () => (await ask(nsClient, GW_A, "changed.example")).answers?.[0] === "198.51.100.7");
  } finally {
    await other.close();
  }
});

test("dns: a dead first upstream is asked once, then skipped while it is down", async (t) => {
  if (!requireSandbox(t)) return;
  await zoneServed(writeZone([alpha, { ...beta, dnsServers: [DEAD_UPSTREAM, UPSTREAM] }]));
  const before = { ...upstream.seen };
  const r = await lab.probe(nsOutsider, { server: GW_B, queries: [{ name: "one.example" }, { name: "two.example" }, { name: "three.example" }] });
  const results = r["results"] as Result[];
  assert.deepEqual(
    results.map((x) => x.answers),
    [["198.51.100.7"], ["198.51.100.7"], ["198.51.100.7"]],
    "every lookup answered by the live upstream",
  );
  assert.equal(deadUpstream.seen.udp, 1, "the dead server was asked once, for the first lookup only");
  assert.equal(upstream.seen.udp, before.udp + 3);
  assert.equal(resolverPid(paths), firstPid);
});

test("dns: zone changes apply without a restart and without dropping queries in flight", async (t) => {
  if (!requireSandbox(t)) return;
  const load = lab.probe(nsClient, { server: GW_A, loop: { name: "web", count: 400 } });
  const extra: DnsContainer[] = [];
  for (let i = 0; i < 15; i++) {
    // 15 containers, each with its own id (a zone lists a container once per network)
    extra.push({ ...ct("e", `late${i}`, `10.77.1.${50 + i}`), id: i.toString(16).padStart(2, "0").padEnd(64, "e") });
    await zoneServed(writeZone([{ ...alpha, containers: [...alpha.containers, ...extra] }, beta]));
  }
  assert.equal((await load)["answered"], 400, "every query during 15 reloads got its answer");
  assert.deepEqual((await ask(nsClient, GW_A, "late14")).answers, ["10.77.1.64"]);
  // rename web -> api with a new alias
  writeZone([{ ...alpha, containers: [ct("a", "api", "10.77.1.2", ["backend"]), alpha.containers[1]!] }, beta]);
  await waitFor("the rename", async () => (await ask(nsClient, GW_A, "backend")).answers?.[0] === "10.77.1.2");
  assert.notDeepEqual((await ask(nsClient, GW_A, "web")).answers, ["10.77.1.2"], "the old name is gone");
  assert.equal(resolverPid(paths), firstPid, "same daemon");
});

test("dns: a network that appears later gets a listener once its gateway address exists", async (t) => {
  if (!requireSandbox(t)) return;
  const gamma: DnsNetwork = {
    id: "nc",
    name: "gamma",
    gateway: GW_C,
    subnet: "10.77.3.0/24",
    dnsServers: [],
    containers: [ct("f", "late-web", "10.77.3.2"), ct("a", "web", "10.77.3.3")],
  };
  await zoneServed(writeZone([alpha, beta, gamma])); // before the bridge has its address: the daemon retries the bind
  lab.bridge("bdns-c", `${GW_C}/24`);
  const nsLate = lab.container("late", "bdns-c", "10.77.3.2/24", GW_C);
  await waitFor("the listener on the new gateway", () => /10\.77\.3\.1:53/.test(sh("ss", "-Hlun", "sport", "=", ":53")));
  assert.deepEqual((await ask(nsLate, GW_C, "web")).answers, ["10.77.3.3"], "web is on gamma too, at its gamma address");
  // web (on alpha and gamma) now sees late-web, and it answers with the gamma address
  assert.deepEqual((await ask(nsWeb, GW_A, "late-web")).answers, ["10.77.3.2"]);
  writeZone([alpha, beta]);
  await waitFor("the gamma listener to close", () => !/10\.77\.3\.1:53/.test(sh("ss", "-Hlun", "sport", "=", ":53")));
  assert.equal(resolverPid(paths), firstPid);
});

test("dns: a journal line applies one container's change without zone.json; a restarted daemon serves zone.json and the lines after it", async (t) => {
  if (!requireSandbox(t)) return;
  const dns = join(paths.runDir, "dns");
  const journal = join(dns, "zone.journal");
  const base = writeZone([alpha, beta]);
  await zoneServed(base);
  const jx = ct("d", "journaled", "10.77.1.70", ["jalias"]);
  appendJournal(journal, { base, serial: base + 1, removed: [], added: [{ network: "na", container: jx }] });
  await zoneServed(base + 1);
  assert.deepEqual((await ask(nsClient, GW_A, "journaled")).answers, ["10.77.1.70"]);
  assert.deepEqual((await ask(nsClient, GW_A, "jalias")).answers, ["10.77.1.70"]);
  // the same container moves: out and in again on one line
  appendJournal(journal, {
    base: base + 1,
    serial: base + 2,
    removed: [{ network: "na", id: jx.id }],
    added: [{ network: "na", container: { ...jx, ipv4: "10.77.1.71", aliases: [] } }],
  });
  await zoneServed(base + 2);
  assert.deepEqual((await ask(nsClient, GW_A, "journaled")).answers, ["10.77.1.71"]);
  assert.equal((await ask(nsClient, GW_A, "jalias.dns.berth")).rcode, "NXDOMAIN", "its old alias went with it");
  assert.equal(resolverPid(paths), firstPid, "same daemon, and zone.json untouched");
  assert.equal(JSON.parse(readFileSync(join(dns, "zone.json"), "utf8")).serial, base);
  // a restarted daemon starts from zone.json and the journal's lines, not from zone.json alone
  const old = firstPid ?? 0;
  process.kill(old, "SIGTERM");
  await waitFor("the daemon to exit", () => !processAlive(old));
  await ensureResolverRunning(paths, [DAEMON_MAIN, join(root.root, "resolv.conf")]);
  firstPid = resolverPid(paths);
  assert.notEqual(firstPid, old);
  await zoneServed(base + 2);
  assert.deepEqual((await ask(nsClient, GW_A, "journaled")).answers, ["10.77.1.71"]);
  // zone.json written whole again (with its own serial, as the engine does) wins over the older lines
  zoneSerial = base + 2;
  rmSync(journal, { force: true });
  await zoneServed(writeZone([alpha, beta]));
  assert.equal((await ask(nsClient, GW_A, "journaled.dns.berth")).rcode, "NXDOMAIN");
});

test("dns: the daemon survives 1,000 malformed packets", async (t) => {
  if (!requireSandbox(t)) return;
  await lab.probe(nsClient, { server: GW_A, garbage: 1000 });
  assert.equal(resolverPid(paths), firstPid, "still the same process");
  assert.deepEqual((await ask(nsClient, GW_A, "client")).answers, ["10.77.1.3"]);
});

test("dns: with the zone empty the daemon lingers, listening nowhere, and serves names that come back", async (t) => {
  if (!requireSandbox(t)) return;
  const zone = readFileSync(join(paths.runDir, "dns", "zone.json"), "utf8");
  await zoneServed(writeZone([]));
  assert.equal(resolverPid(paths), firstPid, "the same daemon, its pid file kept");
  assert.equal(sh("ss", "-Hlun", "sport", "=", ":53").includes(GW_A), false, "no listener left");
  await zoneServed(writeZone([alpha]));
  await waitFor("a listener again", () => sh("ss", "-Hlun", "sport", "=", ":53").includes(GW_A));
  assert.deepEqual((await ask(nsClient, GW_A, "web")).answers, ["10.77.1.2"]);
  assert.equal(resolverPid(paths), firstPid, "still the same daemon");
  // back to what the suite had
  await zoneServed(writeZone([...(JSON.parse(zone) as DnsZoneSnapshot).networks]));
});

test("dns: the daemon exits by itself when the zone becomes empty (BERTH_DNS_LINGER_MS=0)", async (t) => {
  if (!requireSandbox(t)) return;
  process.kill(firstPid ?? 0, "SIGTERM");
  await waitFor("the lingering daemon to go", () => resolverPid(paths) === undefined);
  process.env["BERTH_DNS_LINGER_MS"] = "0";
  await ensureResolverRunning(paths, [DAEMON_MAIN, join(root.root, "resolv.conf")]);
  const pid = resolverPid(paths) ?? 0;
  assert.notEqual(pid, 0, "a new daemon");
  writeZone([]);
  await waitFor("the daemon to exit", () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(existsSync(join(paths.runDir, "dns", "resolver.pid")), false, "pid file removed");
  assert.equal(sh("ss", "-Hlun", "sport", "=", ":53").includes("10.77.1.1"), false, "listeners closed");
  assert.match(readFileSync(join(paths.runDir, "dns", "resolver.log"), "utf8"), /no DNS-enabled network left/);
});
