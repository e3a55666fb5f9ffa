// The same scripted sequence of Podman 4.3.1 commands, run once with
// Debian's netavark (and aardvark-dns) and once with Berth's backend, each in
// its own Podman sandbox, one after the other in the same network namespace.
// What a container sees is recorded as text (interfaces, addresses, routes
// with metrics, resolv.conf, /etc/hosts) with what it and the host can reach
// (names, published ports on 0.0.0.0 and 127.0.0.1, tcp and udp, a range,
// two networks at once, --internal, an IPv6 network). The records must be
// equal once normalized: MAC addresses and what is derived from them (IPv6
// link-local addresses), interface indexes, and the differences that
// docs/podman.md lists under "Intended differences" (each one's id is named
// there with its reason, and the test checks that it is).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { requireSandbox } from "../helpers.js";
import { BerthSandbox } from "../berth-cli.js";
import { HOST_ADDR, makeOutside, type Outside } from "../outside.js";
import { IMAGE, PodmanSandbox, podmanMissing } from "../podman.js";

const NETAVARK_DIR = "/usr/lib/podman";
const PAGE = "differential page";
const DOCS = fileURLToPath(new URL("../../../docs/podman.md", import.meta.url));

/** Mounts that let the busybox image run the host's node for a UDP echo server (busybox's nc has no UDP). */
const NODE_MOUNTS = ["-v", "/usr/bin/node:/usr/bin/node:ro", "-v", "/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:ro", "-v", "/lib64:/lib64:ro"];
const UDP_ECHO = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(8093)";

/**
 * Differences between Berth and netavark that are meant, by id (listed with
 * the reason in docs/podman.md), each as the normalization that removes it.
 */
const INTENDED: Record<string, (text: string) => string> = {
  // Berth adds IPv6 addresses with IFA_F_NODAD (busybox's ip shows "flags 02"); netavark sets accept_dad=0 on the interface
  // so the kernel's own link-local address is still "tentative" (in DAD) for about a second after setup with Berth, never with netavark
  "ipv6-nodad": (s) => s.replace(/ flags 02 /g, " ").replace(/(fe80::LINKLOCAL\/64 scope link) tentative /g, "$1 "),
};

/** What legitimately differs between any two runs: MACs, link-local addresses made from them, interface indexes. */
function normalize(text: string): string {
  return (
    text
      .replace(/\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/g, "MAC")
      .replace(/fe80::[0-9a-f:]+/g, "fe80::LINKLOCAL")
      .replace(/^[0-9]+: /gm, "N: ")
      .replace(/@if[0-9]+/g, "@ifN")
      // Podman's container ids (in /etc/hosts) are random
      .replace(/\b[0-9a-f]{12}\b/g, "ID")
      .replace(/\\\s+/g, " ")
      .replace(/[ \t]+$/gm, "")
  );
}

/**
 * netavark sets up a container's networks in hash-map order and Podman
 * collects their name servers and picks host.containers.internal in Go map
 * order, both different from one run to the next: for the container on two
 * networks, line order and which gateway is host.containers.internal are
 * not compared.
 */
function normalizeMultiNetwork(key: string, text: string): string {
  if (!key.startsWith("cli: ")) return text;
  return text
    .replace(/^10\.9[78]\.0\.1\thost\.containers\.internal$/m, "GATEWAY\thost.containers.internal")
    .split("\n")
    .sort()
    .join("\n");
}

type Record_ = Map<string, string>;

function curl(url: string, ns?: string): string {
  const argv = ["curl", "-s", "--max-time", "3", url];
  const r =
    ns === undefined ? spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" }) : spawnSync("nsenter", [`--net=${ns}`, ...argv], { encoding: "utf8" });
  return r.status === 0 ? `ok ${r.stdout.trim()}` : `fail (curl ${r.status ?? "signal"})`;
}

/** One UDP datagram to host:port from the outside namespace, and its echo (retried until the echo server answers). */
function udpEcho(ns: string, host: string, port: number): string {
  const script = `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{if(n++>20){console.log('no echo');process.exit(0)}s.send('ping',${port},'${host}')},150);s.on('message',(m)=>{console.log('echo '+m);clearInterval(t);process.exit(0)})`;
  const r = spawnSync("nsenter", [`--net=${ns}`, process.execPath, "-e", script], { encoding: "utf8", timeout: 10_000 });
  return r.stdout.trim() || `fail ${r.stderr.trim()}`;
}

/** Wait until `probe` says ok (a server in a container starting up), bounded. */
function waitUntil(probe: () => string): string {
  let last = "";
  for (let i = 0; i < 40; i++) {
    last = probe();
    if (last.startsWith("ok") || last.startsWith("echo")) return last;
    spawnSync("sleep", ["0.1"]);
  }
  return last;
}

/** `wget URL` inside a container, bounded by busybox's timeout (its wget -T crashes this busybox build). */
function wget(p: PodmanSandbox, ctr: string, url: string): string {
  const r = p.podman("exec", ctr, "busybox", "timeout", "5", "wget", "-q", "-O", "-", url);
  return r.code === 0 ? `ok ${r.stdout.trim()}` : `fail ${r.code}`;
}

/** The scripted sequence; returns what each container and the host saw. */
function scenario(p: PodmanSandbox, outside: Outside): Record_ {
  const rec: Record_ = new Map();
  const t0 = Date.now();
  const mark = (what: string) => process.env["BERTH_DIFF_TIMING"] && process.stderr.write(`${what}: ${Date.now() - t0} ms\n`);
  const sh = (ctr: string, ...cmd: string[]) => {
    const r = p.podman("exec", ctr, ...cmd);
    return r.code === 0 ? r.stdout : `exit ${r.code}: ${r.stdout}`;
  };
  p.importBusybox(PAGE);
  p.ok("network", "create", "--subnet", "10.97.0.0/24", "dA");
  p.ok("network", "create", "--subnet", "10.98.0.0/24", "dB");
  p.ok("network", "create", "--internal", "--subnet", "10.99.0.0/24", "dInt");
  p.ok("network", "create", "--ipv6", "--subnet", "10.100.0.0/24", "--subnet", "fd00:100::/64", "d6");
  p.ok(
    "run",
    "-d",
    "--name",
    "srv",
    "--network",
    "dA",
    "--network-alias",
    "www",
    "-p",
    "8091:80",
    "-p",
    "127.0.0.1:8092:80",
    "-p",
    "8093:8093/udp",
    "-p",
    "8094-8095:8094-8095",
    ...NODE_MOUNTS,
    IMAGE,
    "sh",
    "-c",
    `httpd -p 80 -h /www; httpd -p 8094 -h /www; httpd -p 8095 -h /www; exec node -e "${UDP_ECHO}"`,
  );
  // the interface names are given: Podman 4.3 numbers a container's networks in Go map order, which varies from run to run
  p.ok("run", "-d", "--name", "cli", "--network", "dA:interface_name=eth0", "--network", "dB:interface_name=eth1", IMAGE, "sleep", "600");
  p.ok("run", "-d", "--name", "int", "--network", "dInt", IMAGE, "sleep", "600");
  p.ok("run", "-d", "--name", "srv6", "--network", "d6", IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
  p.ok("run", "-d", "--name", "c6", "--network", "d6", IMAGE, "sleep", "600");

  mark("containers up");
  // one exec per container (each costs Podman a second or more): the views, separated by a marker line
  const views = ["ip -o link", "ip -o addr", "ip -4 route", "ip -6 route", "cat /etc/resolv.conf", "cat /etc/hosts"];
  for (const c of ["srv", "cli", "int", "c6"]) {
    const out = sh(c, "sh", "-c", views.map((v) => `${v}; echo '@@@'`).join("; "));
    const parts = out.split("@@@\n");
    views.forEach((v, i) => rec.set(`${c}: ${v.replace(/^cat /, "")}`, parts[i] ?? `(no output: ${out})`));
  }
  mark("recorded");
  // names and reachability between containers
  rec.set(
    "cli: wget http://srv/",
    waitUntil(() => wget(p, "cli", "http://srv/")),
  );
  rec.set("cli: wget http://www/ (alias)", wget(p, "cli", "http://www/"));
  rec.set("cli: ping -c1 127.0.0.1 (lo)", p.podman("exec", "cli", "ping", "-c", "1", "-W", "2", "127.0.0.1").code === 0 ? "ok" : "fail");
  rec.set("int: ping outside", p.podman("exec", "int", "ping", "-c", "1", "-W", "1", "198.51.100.2").code === 0 ? "ok" : "fail");
  rec.set("int: ping cli (other network)", p.podman("exec", "int", "ping", "-c", "1", "-W", "1", "10.97.0.3").code === 0 ? "ok" : "fail");
  const srv6 = p.ok("inspect", "-f", '{{(index .NetworkSettings.Networks "d6").GlobalIPv6Address}}', "srv6").trim();
  rec.set("srv6: IPv6 address", srv6);
  rec.set(
    "c6: wget http://[srv6]/",
    waitUntil(() => wget(p, "c6", `http://[${srv6}]/`)),
  );
  const aaaa = p.podman("exec", "c6", "nslookup", "-type=AAAA", "srv6");
  rec.set("c6: nslookup -type=AAAA srv6 finds its address", aaaa.stdout.includes(srv6) ? "ok" : `fail ${aaaa.stdout}`);
  const a = p.podman("exec", "c6", "nslookup", "srv6");
  rec.set("c6: nslookup srv6 finds its IPv4 address", a.stdout.includes("10.100.0.") ? "ok" : `fail ${a.stdout}`);
  mark("names");
  // published ports, from the host and from outside it
  rec.set(
    "host: http://127.0.0.1:8091",
    waitUntil(() => curl("http://127.0.0.1:8091/")),
  );
  rec.set("host: http://127.0.0.1:8092 (127.0.0.1 only)", curl("http://127.0.0.1:8092/"));
  rec.set("outside: http://HOST:8091", curl(`http://${HOST_ADDR}:8091/`, outside.ns));
  rec.set("outside: http://HOST:8092 (published on 127.0.0.1 only)", curl(`http://${HOST_ADDR}:8092/`, outside.ns));
  rec.set(
    "outside: http://HOST:8094 (range)",
    waitUntil(() => curl(`http://${HOST_ADDR}:8094/`, outside.ns)),
  );
  rec.set(
    "outside: http://HOST:8095 (range)",
    waitUntil(() => curl(`http://${HOST_ADDR}:8095/`, outside.ns)),
  );
  rec.set("outside: udp HOST:8093", udpEcho(outside.ns, HOST_ADDR, 8093));
  rec.set("cli: srv's published port through the host address", wget(p, "cli", `http://${HOST_ADDR}:8091/`));
  mark("ports");
  if (process.env["BERTH_DIFF_DUMP"]) process.stderr.write(`${JSON.stringify([...rec], null, 1)}\n`);
  p.ok("rm", "-f", "-t", "0", "srv", "cli", "int", "srv6", "c6");
  p.ok("network", "rm", "dA", "dB", "dInt", "d6");
  return rec;
}

/** The ids listed in docs/podman.md's "Intended differences" table. */
function documentedIds(): Set<string> {
  const text = readFileSync(DOCS, "utf8");
  const section = text.slice(text.indexOf("## Intended differences"));
  return new Set([...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1] ?? ""));
}

test("what a container sees with Berth's backend equals what it sees with Debian's netavark, but for the intended differences", async (t) => {
  if (!requireSandbox(t)) return;
  const missing =
    podmanMissing() ??
    (spawnSync("test", ["-x", `${NETAVARK_DIR}/aardvark-dns`]).status === 0
      ? undefined
      : `${NETAVARK_DIR}/aardvark-dns is missing (scripts/install-deps.sh --test installs it)`);
  if (missing) {
    if (process.env["CI"] === "true") throw new Error(missing);
    t.skip(missing);
    return;
  }
  const documented = documentedIds();
  for (const id of Object.keys(INTENDED)) assert.ok(documented.has(id), `intended difference "${id}" is listed with its reason in docs/podman.md`);

  const runWith = async (backendDir: string, env: NodeJS.ProcessEnv, root: string): Promise<Record_> => {
    const outside = makeOutside(root);
    const p = await PodmanSandbox.start(env, { backendDir });
    try {
      return scenario(p, outside);
    } finally {
      p.dispose();
      outside.remove();
    }
  };
  const b = new BerthSandbox();
  let netavark: Record_;
  let berth: Record_;
  try {
    netavark = await runWith(NETAVARK_DIR, { ...process.env }, b.root);
    berth = await runWith(fileURLToPath(new URL("../../../bin/podman", import.meta.url)), b.env, b.root);
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "Berth left nothing behind",
    );
  } finally {
    b.dispose();
  }
  const fix = (k: string, s: string) =>
    normalizeMultiNetwork(
      k,
      Object.values(INTENDED).reduce((acc, f) => f(acc), normalize(s)),
    );
  const diffs: string[] = [];
  for (const [k, v] of netavark) {
    const ours = fix(k, berth.get(k) ?? "(missing)");
    const theirs = fix(k, v);
    if (ours !== theirs) diffs.push(`--- ${k}\nnetavark:\n${theirs}\nberth:\n${ours}`);
  }
  assert.deepEqual(diffs, [], `differences not listed in docs/podman.md:\n${diffs.join("\n")}`);
  // the record says something: the sequence really ran
  assert.match(netavark.get("host: http://127.0.0.1:8091") ?? "", /^ok differential page/);
});
