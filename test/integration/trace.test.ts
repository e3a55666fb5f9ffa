// berth trace on the live host: a published port and container to container,
// reachable, and broken at the right hop for each deliberately broken case.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const HTTPD = ["sh", "-c", "echo hi > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp"];
let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
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
  assert.equal(apart.hops.at(-1)?.step, "shared network");
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
