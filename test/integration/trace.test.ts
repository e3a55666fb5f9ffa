// berth trace on the live host: a published port and container to container,
// reachable, and broken at the right hop for each deliberately broken case.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const HTTPD = ["sh", "-c", "echo hi > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp"];
let b: BerthSandbox;

before(() => {
  // an empty host resolv.conf: the sandbox's own names a server it cannot reach, which doctor reports
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  if (b) b.dispose();
});

interface Trace {
  readonly reachable: boolean;
  readonly verdict: string;
  readonly hops: { step: string; ok: boolean; detail: string; fix?: string }[];
}

function traceJson(...args: string[]): Trace {
  const r = b.run("trace", "--format", "json", ...args);
  const t = JSON.parse(r.stdout) as Trace;
  assert.equal(r.code, t.reachable ? 0 : 1, "exit status follows the verdict");
  return t;
}

test("a published port: every hop named, the map element and the container; reachable", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "tnet");
  b.ok("run", "-d", "--name", "web", "--network", "tnet", "-p", "9090:8080", ...HTTPD);
  b.ok("run", "-d", "--name", "idle", "--network", "tnet", "-p", "9092:8080", "sleep", "600");
  const ip = b.ip("web");
  const out = b.run("trace", "127.0.0.1:9090");
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, new RegExp(`nft map element: tcp \\. 9090 : ${ip.replaceAll(".", "\\.")} \\. 8080 in map inet berth dnat_any`));
  assert.match(out.stdout, /container: web \([0-9a-f]{12}\), running/);
  assert.match(out.stdout, /listening: (0\.0\.0\.0|\[::\]):8080 tcp inside web/);
  assert.match(out.stdout, new RegExp(`^reachable: tcp 127\\.0\\.0\\.1:9090 -> web ${ip.replaceAll(".", "\\.")}:8080/tcp$`, "m"));
  const j = traceJson("127.0.0.1:9090");
  assert.deepEqual(
    j.hops.map((h) => h.step),
    ["host address", "nft map element", "kernel settings", "container", "bridge", "veth", "container interface", "listening"],
  );
});

test("broken paths stop at the right hop with a fix: unpublished port, wrong protocol, nothing listening", (t) => {
  if (!requireSandbox(t)) return;
  const unpublished = traceJson("127.0.0.1:9091");
  assert.equal(unpublished.hops.at(-1)?.step, "nft map element");
  assert.match(unpublished.verdict, /^breaks at nft map element: nothing is published on 9091\/tcp/);
  assert.match(unpublished.hops.at(-1)?.fix ?? "", /berth run -p 9091:CPORT/);
  assert.equal(traceJson("127.0.0.1:9090/udp").hops.at(-1)?.step, "nft map element", "only tcp is published");
  const idle = traceJson("127.0.0.1:9092");
  assert.equal(idle.hops.at(-1)?.step, "listening");
  assert.match(idle.verdict, /nothing listens on 8080\/tcp inside idle/);
  const bad = b.run("trace", "127.0.0.1:99999");
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /port 99999 is outside 1-65535/);
});

test("container to container: same network reachable by name; different networks and a stopped container break where they should", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "client", "--network", "tnet", "sleep", "600");
  b.ok("network", "create", "onet");
  b.ok("run", "-d", "--name", "stranger", "--network", "onet", "sleep", "600");
  const ok = traceJson("client", "web:8080");
  assert.ok(ok.reachable, ok.verdict);
  assert.match(ok.hops.find((h) => h.step === "name")?.detail ?? "", new RegExp(`web resolves to ${b.ip("web").replaceAll(".", "\\.")} on tnet`));
  const apart = traceJson("stranger", "web:8080");
  assert.equal(apart.hops.at(-1)?.step, "isolation", "Berth's own networks are isolated from each other (isolate=true)");
  assert.match(apart.verdict, /rule "isolated network to another network"/);
  assert.match(apart.hops.at(-1)?.fix ?? "", /berth network connect tnet stranger/);
  b.ok("network", "connect", "tnet", "stranger");
  assert.ok(traceJson("stranger", "web:8080").reachable, "connected, it is reachable");
  b.ok("stop", "-t", "1", "web");
  const stopped = traceJson("client", "web:8080");
  assert.equal(stopped.hops.at(-1)?.step, "destination");
  assert.match(stopped.verdict, /web is exited/);
  b.ok("rm", "-f", "web", "idle", "client", "stranger");
  b.ok("network", "rm", "tnet", "onet");
});

test("isolate=peers (Podman's isolate=true): trace names the rule that drops traffic between two such networks, lets a plain network through; topology shows it; doctor is clean", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--opt", "isolate=peers", "peerA");
  b.ok("network", "create", "--opt", "isolate=peers", "peerB");
  b.ok("network", "create", "--opt", "isolate=false", "plain");
  try {
    b.ok("run", "-d", "--name", "pa", "--network", "peerA", ...HTTPD);
    b.ok("run", "-d", "--name", "pb", "--network", "peerB", "sleep", "600");
    b.ok("run", "-d", "--name", "pc", "--network", "plain", "sleep", "600");
    const cut = traceJson("pb", "pa:8080");
    assert.equal(cut.reachable, false);
    const last = cut.hops.at(-1);
    assert.equal(last?.step, "isolation", cut.verdict);
    assert.match(last?.detail ?? "", /rule "between networks isolated from each other" \(iifname @isolated_peer_bridges oifname @isolated_peer_bridges drop\)/);
    assert.match(last?.detail ?? "", /peerB and peerA both have isolate=peers/);
    assert.match(last?.fix ?? "", /berth network connect peerA pb/);
    // the kernel agrees: nothing gets through
    assert.notEqual(b.run("exec", "pb", "busybox", "timeout", "3", "wget", "-q", "-O", "-", `http://${b.ip("pa")}:8080/`).code, 0, "pb cannot reach pa");

    // a network without the option reaches an isolate=peers one (netavark 1.4's semantics), by address
    let open: Trace | undefined;
    assert.ok(
      waitUntil(() => (open = traceJson("pc", "pa:8080")).reachable),
      JSON.stringify(open),
    );
    assert.match(open?.hops.find((h) => h.step === "isolation")?.detail ?? "", /rule "containers may go out"/);
    assert.match(open?.verdict ?? "", new RegExp(`reachable: pc -> pa ${b.ip("pa").replaceAll(".", "\\.")}:8080/tcp`));
    assert.equal(b.ok("exec", "pc", "busybox", "wget", "-q", "-O", "-", `http://${b.ip("pa")}:8080/`).trim(), "hi", "and the kernel lets it through");

    const topo = b.ok("topology");
    assert.match(topo, /network peerA {2}isolate=peers/, topo);
    assert.match(topo, /network peerB {2}isolate=peers/, topo);
    assert.doesNotMatch(topo, /network plain {2}isolate/, topo);
    const doctor = b.run("doctor");
    assert.equal(doctor.code, 0, `isolation between peers is not a problem: ${doctor.stdout}${doctor.stderr}`);
    assert.match(doctor.stdout, /^No problems found/m);
  } finally {
    b.run("rm", "-f", "pa", "pb", "pc");
    b.run("network", "rm", "peerA", "peerB", "plain");
  }
});

/** Poll `ok()` until it holds or 5 s pass (a server needs a moment to bind). */
function waitUntil(ok: () => boolean): boolean {
  for (let i = 0; i < 50; i++) {
    if (ok()) return true;
    spawnSync("sleep", ["0.1"]);
  }
  return ok();
}
