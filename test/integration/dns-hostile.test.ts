// The resolver daemon against hostile containers (issue 19), on the real
// kernel inside the test sandbox: three networks (one internal), container
// namespaces wired to them, a live and a silent fake upstream on the
// sandbox's loopback, and queries, floods and slow connections sent from
// inside the namespaces.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inSandbox, requireSandbox, tempRoot } from "../helpers.js";
import { berthPaths, type BerthPaths } from "../../src/paths.js";
import { ensureResolverRunning, resolverPid, type DnsContainer, type DnsNetwork } from "../../src/dns/index.js";
import { FakeUpstream } from "../../src/dns/testing/fake-upstream.js";
import { DAEMON_MAIN, DnsLab, sh, waitFor, writeZone } from "../dns-lab.js";

const GW_A = "10.78.1.1";
const GW_B = "10.78.2.1";
const GW_C = "10.78.3.1";
const LIVE = "127.0.0.63";
const SILENT = "127.0.0.64";
const UPSTREAM_ANSWER = "198.51.100.7";

let root: ReturnType<typeof tempRoot>;
let paths: BerthPaths;
let lab: DnsLab;
let live: FakeUpstream;
let silent: FakeUpstream;
const ns: Record<string, string> = {};

const ct = (c: string, name: string, ipv4: string, extra: Partial<DnsContainer> = {}): DnsContainer => ({
  id: c.repeat(64),
  name,
  aliases: [],
  ipv4,
  dnsServers: [],
  ...extra,
});

before(async () => {
  if (!inSandbox()) return;
  root = tempRoot("berth-dns-hostile-");
  paths = berthPaths({ BERTH_ROOT: root.root });
  lab = new DnsLab(root.root);
  lab.bridge("bh-a", `${GW_A}/24`);
  lab.bridge("bh-b", `${GW_B}/24`);
  lab.bridge("bh-c", `${GW_C}/24`);
  ns["a1"] = lab.container("a1", "bh-a", "10.78.1.2/24", GW_A);
  ns["a2"] = lab.container("a2", "bh-a", "10.78.1.3/24", GW_A);
  ns["i1"] = lab.container("i1", "bh-b", "10.78.2.2/24", GW_B);
  ns["i2"] = lab.container("i2", "bh-b", "10.78.2.3/24", GW_B);
  ns["c1"] = lab.container("c1", "bh-c", "10.78.3.2/24", GW_C);
  ns["f1"] = lab.container("f1", "bh-c", "10.78.3.3/24", GW_C);
  live = await FakeUpstream.start({ host: LIVE, port: 53, answer: UPSTREAM_ANSWER });
  silent = await FakeUpstream.start({ host: SILENT, port: 53, silent: true });
  writeFileSync(join(root.root, "resolv.conf"), `nameserver ${LIVE}\n`);
  const networks: DnsNetwork[] = [
    // a1 calls itself example.com on its own network
    {
      id: "na",
      name: "alpha",
      gateway: GW_A,
      subnet: "10.78.1.0/24",
      dnsServers: [],
      containers: [ct("a", "a1", "10.78.1.2", { aliases: ["example.com"] }), ct("b", "a2", "10.78.1.3")],
    },
    {
      id: "nb",
      name: "vault",
      internal: true,
      gateway: GW_B,
      subnet: "10.78.2.0/24",
      dnsServers: [],
      containers: [ct("c", "i1", "10.78.2.2"), ct("d", "i2", "10.78.2.3")],
    },
    // f1's own --dns is a server that never answers: every name it forwards waits
    {
      id: "nc",
      name: "gamma",
      gateway: GW_C,
      subnet: "10.78.3.0/24",
      dnsServers: [],
      containers: [ct("e", "c1", "10.78.3.2"), ct("f", "f1", "10.78.3.3", { dnsServers: [SILENT] })],
    },
  ];
  writeZone(paths.runDir, networks);
  await ensureResolverRunning(paths, [DAEMON_MAIN, join(root.root, "resolv.conf")]);
  await waitFor("listeners on every gateway", () => [GW_A, GW_B, GW_C].every((g) => sh("ss", "-Hltn", "sport", "=", ":53").includes(`${g}:53`)));
});

after(async () => {
  if (!inSandbox()) return;
  const pid = resolverPid(paths);
  if (pid !== undefined) process.kill(pid, "SIGKILL");
  await live?.close();
  await silent?.close();
  lab?.dispose();
  root?.cleanup();
});

test("a container whose networks are all internal gets its network's names, and REFUSED for every outside name: nothing is forwarded (finding 7)", async (t) => {
  if (!requireSandbox(t)) return;
  const seen = { ...live.seen };
  const local = await lab.ask(ns["i1"]!, GW_B, "i2");
  assert.deepEqual([local.rcode, local.answers], ["NOERROR", ["10.78.2.3"]]);
  for (const proto of ["udp", "tcp"] as const) {
    assert.equal((await lab.ask(ns["i1"]!, GW_B, "exfil-6869646465.example.com", { proto })).rcode, "REFUSED", proto);
    assert.equal((await lab.ask(ns["i1"]!, GW_B, "1.2.0.192.in-addr.arpa", { proto, type: "PTR" })).rcode, "REFUSED", `PTR ${proto}`);
  }
  assert.equal((await lab.ask(ns["i1"]!, GW_B, "nobody.dns.berth")).rcode, "NXDOMAIN");
  assert.deepEqual(live.seen, seen, "nothing reached the upstream");
  assert.deepEqual((await lab.ask(ns["c1"]!, GW_C, "outside.example")).answers, [UPSTREAM_ANSWER], "an ordinary network still forwards");
});

test("a real domain used as a name on one network is that network's only; the others get the real answer, and learn nothing about names elsewhere (finding 10)", async (t) => {
  if (!requireSandbox(t)) return;
  assert.deepEqual((await lab.ask(ns["a2"]!, GW_A, "example.com")).answers, ["10.78.1.2"], "its own network asked for it");
  assert.deepEqual((await lab.ask(ns["c1"]!, GW_C, "example.com")).answers, [UPSTREAM_ANSWER], "another network gets the real domain");
  // another network's container name gets exactly what a name nobody has gets
  const known = await lab.ask(ns["c1"]!, GW_C, "a1");
  const unknown = await lab.ask(ns["c1"]!, GW_C, "nobody-has-this");
  assert.deepEqual([known.rcode, known.answers], [unknown.rcode, unknown.answers]);
  assert.deepEqual(known.answers, [UPSTREAM_ANSWER]);
  assert.equal((await lab.ask(ns["c1"]!, GW_C, "a1.dns.berth")).rcode, "NXDOMAIN", "Berth's own domain stays authoritative");
});

/** Connections waiting in the accept queue of the TCP listener on `gw`:53 (Recv-Q of a listening socket). */
function acceptQueue(gw: string): number {
  const line =
    sh("ss", "-Hltn", "sport", "=", ":53")
      .split("\n")
      .find((l) => l.includes(`${gw}:53`)) ?? "";
  return Number(line.trim().split(/\s+/)[1] ?? -1);
}

test("slow TCP connections, from a stranger and from a member, do not keep another container's TCP query out (finding 8)", async (t) => {
  if (!requireSandbox(t)) return;
  const stranger = lab.start(ns["c1"]!, { server: GW_A, hold: { connections: 300 } });
  const member = lab.start(ns["a1"]!, { server: GW_A, hold: { connections: 300 } });
  try {
    const [s, m] = [await stranger.next(), await member.next()];
    assert.equal((s["opened"] as number) + (s["refused"] as number), 300);
    assert.equal((m["opened"] as number) + (m["refused"] as number), 300);
    await waitFor("the resolver to take every connection off the accept queue", () => acceptQueue(GW_A) === 0);
    const r = await lab.ask(ns["a2"]!, GW_A, "a1", { proto: "tcp" });
    assert.deepEqual([r.rcode, r.answers], ["NOERROR", ["10.78.1.2"]]);
  } finally {
    const [s, m] = await Promise.all([stranger.stop(), member.stop()]);
    t.diagnostic(`stranger: ${JSON.stringify(s)}; member: ${JSON.stringify(m)}`);
  }
});

interface Stats {
  pending: number;
  peakPending: number;
  forwarded: number;
  refusedFull: number;
  refusedClientFull: number;
  rateLimited: number;
  limits: { maxPending: number; maxPendingPerClient: number; perClientRate: number };
  rssBytes: number;
}

/** The daemon's resident memory as the kernel counts it (for the log: memory is reported, never asserted). */
function residentKb(): number {
  const m = /^VmRSS:\s+([0-9]+) kB/m.exec(readFileSync(`/proc/${resolverPid(paths) ?? 0}/status`, "utf8"));
  return Number(m?.[1] ?? -1);
}

/** Ask the daemon for its counters (SIGUSR2 -> resolver.stats) and wait for them. */
async function stats(): Promise<Stats> {
  const file = join(paths.runDir, "dns", "resolver.stats");
  rmSync(file, { force: true });
  process.kill(resolverPid(paths) ?? 0, "SIGUSR2");
  await waitFor("resolver.stats", () => existsSync(file));
  return JSON.parse(readFileSync(file, "utf8")) as Stats;
}

test("a flood of random outside names from one container keeps the forwarding queue bounded; others' local and forwarded lookups still work (finding 2)", async (t) => {
  if (!requireSandbox(t)) return;
  const flood = lab.start(ns["f1"]!, { server: GW_C, flood: { domain: "flood.example", report: 10_000 } });
  let report: Record<string, unknown> = {};
  try {
    await flood.next();
    await flood.next(); // 20,000 queries sent, far more than any limit
    t.diagnostic(`resolver resident memory during the flood: ${residentKb()} kB`);
    const results = [
      await lab.ask(ns["c1"]!, GW_C, "f1", { attempts: 3 }),
      await lab.ask(ns["c1"]!, GW_C, "fine.example", { attempts: 3 }),
      await lab.ask(ns["a2"]!, GW_A, "also-fine.example", { attempts: 3 }),
      await lab.ask(ns["a2"]!, GW_A, "a1", { attempts: 3 }),
    ];
    assert.deepEqual(
      results.map((r) => [r.rcode, r.answers]),
      [
        ["NOERROR", ["10.78.3.3"]],
        ["NOERROR", [UPSTREAM_ANSWER]],
        ["NOERROR", [UPSTREAM_ANSWER]],
        ["NOERROR", ["10.78.1.2"]],
      ],
    );
    const during = await stats();
    t.diagnostic(`during the flood: ${JSON.stringify(during)}`);
    assert.ok(during.peakPending <= during.limits.maxPending, `peak pending ${during.peakPending} <= ${during.limits.maxPending}`);
  } finally {
    report = await flood.stop();
  }
  const after = await stats();
  t.diagnostic(`flood: ${JSON.stringify(report)}; daemon after: ${JSON.stringify(after)}; resident memory ${Math.round(after.rssBytes / 2 ** 20)} MiB`);
  assert.ok(after.peakPending <= after.limits.maxPending, "pending forwards never exceeded the cap");
  assert.ok(after.rateLimited + after.refusedClientFull > 0, "the flooding client was held to its share");
  assert.ok(((report["rcodes"] as Record<string, number>)["SERVFAIL"] ?? 0) > 0, "the flood got SERVFAIL for what was turned away");
  assert.ok(after.forwarded < (report["sent"] as number) / 2, `most of the flood was never forwarded: ${after.forwarded} of ${String(report["sent"])}`);
});
