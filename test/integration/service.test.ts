// The Berth service (src/service/, docs/api.md): one resident process per
// BERTH_ROOT that bin/berth, bin/podman/netavark and bin/cni/berth talk to.
// What happens when it is killed mid-change, stopped, raced by 50 clients,
// left stale by a crash, reached by a non-root peer, or older than its client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const BERTH = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
const NETAVARK = fileURLToPath(new URL("../../../bin/podman/netavark", import.meta.url));
const CNI = fileURLToPath(new URL("../../../bin/cni/berth", import.meta.url));

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  if (b) b.dispose();
});

function servicePid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(b.root, "run", "service.pid"), "utf8").split(" ")[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "");
  } catch {
    return false;
  }
}

/** Wait (bounded) until `pid` has exited. */
function waitGone(pid: number): void {
  for (let i = 0; i < 100 && alive(pid); i++) spawnSync("sleep", ["0.05"]);
  assert.equal(alive(pid), false, `process ${pid} is still there`);
}

/** Make sure a service runs, kill it with SIGKILL and wait until it is gone; its pid. */
function killService(): number {
  b.ok("ps");
  const pid = servicePid();
  assert.ok(pid !== undefined);
  process.kill(pid, "SIGKILL");
  waitGone(pid);
  return pid;
}

function berthTable(): string {
  const r = spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout : "";
}

test("berth commands are served by one resident service per BERTH_ROOT, on a root-only socket", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "svc-one");
  const pid = servicePid();
  assert.ok(pid !== undefined, "the first command started the service");
  const sock = join(b.root, "run", "berth.sock");
  assert.ok(statSync(sock).isSocket());
  assert.equal(statSync(sock).mode & 0o777, 0o600, "only root may connect");
  assert.match(b.ok("network", "ls"), /svc-one/);
  assert.equal(servicePid(), pid, "the same process served the next command");
  b.ok("network", "rm", "svc-one");
});

test("a service started from a shell that sets NODE_OPTIONS runs without them, with the service's own Node flags", (t) => {
  if (!requireSandbox(t)) return;
  killService();
  const r = b.runWith({ NODE_OPTIONS: "--no-warnings" }, "ps");
  assert.equal(r.code, 0, r.stderr);
  const pid = servicePid();
  assert.ok(pid !== undefined);
  const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  assert.ok(environ.includes(`BERTH_ROOT=${b.root}`), "the caller's BERTH_* reach it");
  assert.ok(!environ.some((v) => v.startsWith("NODE_OPTIONS=")), "the shell's NODE_OPTIONS do not");
  assert.ok(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("--max-semi-space-size=2"));
});

test("the service killed with SIGKILL in the middle of a run: the client says so, the next command restarts it and rolls the run back", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "svc-crash");
  const first = servicePid();
  const r = b.runWith({ BERTH_FAULT: "run:before-start" }, "run", "-d", "--name", "half", "--network", "svc-crash", "-p", "9710:8080", "sleep", "600");
  assert.equal(r.code, 137, r.stderr);
  assert.match(r.stderr, /^Error: the Berth service ended while it ran this command/m);
  assert.match(r.stderr, /^Hint: .*starts the service again/m);
  assert.ok(first !== undefined);
  waitGone(first);
  // the next command: a new service, which repairs before it serves
  assert.equal(b.ok("ps", "-a", "-q").trim(), "", "the interrupted run was rolled back");
  const second = servicePid();
  assert.ok(second !== undefined && second !== first, "a new service");
  assert.doesNotMatch(berthTable(), /9710/, "its port mapping went too");
  assert.deepEqual(
    b.leftovers().filter((l) => !l.startsWith("nft")),
    [],
  );
  b.ok("network", "rm", "svc-crash");
});

test("a stopped (hung) service: every client fails within the timeout with an error that says what to do, in its own protocol", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("ps");
  const pid = servicePid();
  assert.ok(pid !== undefined);
  process.kill(pid, "SIGSTOP");
  try {
    const env = { ...b.env, BERTH_SERVICE_TIMEOUT: "2" };
    const cli = spawnSync(process.execPath, [BERTH, "ps"], { env, encoding: "utf8", timeout: 30_000 });
    assert.equal(cli.status, 125, cli.stderr);
    assert.match(cli.stderr, new RegExp(`^Error: The Berth service \\(pid ${pid}\\) does not answer`, "m"));
    assert.match(cli.stderr, new RegExp(`^Hint: .*kill ${pid}`, "m"));

    const nv = spawnSync(NETAVARK, ["version"], { env, encoding: "utf8", timeout: 30_000 });
    assert.equal(nv.status, 1);
    const nvOut = JSON.parse(nv.stdout) as { error: string };
    assert.match(nvOut.error, /has not answered for 2 s\. Hint: .*kill PID/);

    const cni = spawnSync(CNI, [], { env: { ...env, CNI_COMMAND: "VERSION" }, input: '{"cniVersion":"1.0.0"}', encoding: "utf8", timeout: 30_000 });
    assert.equal(cni.status, 1);
    const cniOut = JSON.parse(cni.stdout) as { code: number; msg: string; details: string };
    assert.equal(cniOut.code, 11, "CNI's 'try again later'");
    assert.match(cniOut.msg, /has not answered/);
  } finally {
    process.kill(pid, "SIGCONT");
  }
  assert.equal(b.run("ps").code, 0, "served again once it runs");
});

test("a client killed in the middle of its request leaves nothing half-made: the service finishes the change", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "svc-orphan");
  const pid = servicePid();
  assert.ok(pid !== undefined);
  // hold the service still so the request is surely in flight when its client dies
  process.kill(pid, "SIGSTOP");
  const sock = join(b.root, "run", "berth.sock");
  const argv = ["run", "-d", "--name", "orphaned", "--network", "svc-orphan", "-p", "9711:8080", "sleep", "600"];
  // a client as bin/berth is one, that says when its request has reached the socket
  const script = `const s = require("node:net").connect(${JSON.stringify(sock)});
    s.on("connect", () => s.write(JSON.stringify({ v: 1, id: 1, method: "exec", env: process.env, params: { program: "cli", argv: ${JSON.stringify(argv)}, cwd: "/" } }) + "\\n", () => process.stdout.write("sent\\n")));`;
  const child = spawn(process.execPath, ["-e", script], { env: b.env, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => d.toString().includes("sent") && resolve()));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  process.kill(pid, "SIGCONT");
  // the next change waits for the orphaned one (one at a time): then it is whole
  b.ok("network", "create", "svc-after");
  const rows = b.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}");
  assert.match(rows, /^orphaned Up/m, "the run the dead client asked for was finished");
  assert.match(berthTable(), /9711/, "with its port");
  assert.match(b.ip("orphaned"), /^\d+\.\d+\.\d+\.\d+$/, "and its address");
  b.ok("rm", "-f", "orphaned");
  b.ok("network", "rm", "svc-orphan", "svc-after");
  assert.deepEqual(
    b.leftovers().filter((l) => !l.startsWith("nft")),
    [],
  );
});

test("50 clients at once: every run succeeds with its own address, one change at a time", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "svc-many");
  const runs = await Promise.all(Array.from({ length: 50 }, (_, i) => b.start("run", "-d", "--name", `many${i}`, "--network", "svc-many", "sleep", "600")));
  for (const [i, r] of runs.entries()) assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
  const ips = b
    .ok("ps", "--format", "{{.Names}}")
    .trim()
    .split("\n")
    .filter((n) => n.startsWith("many"))
    .map((n) => b.ip(n));
  assert.equal(ips.length, 50);
  assert.equal(new Set(ips).size, 50, "50 distinct addresses");
  const removed = await Promise.all(Array.from({ length: 50 }, (_, i) => b.start("rm", "-f", `many${i}`)));
  for (const r of removed) assert.equal(r.code, 0, r.stderr);
  b.ok("network", "rm", "svc-many");
});

test("a crash's stale socket and pid file are taken over by the next service", (t) => {
  if (!requireSandbox(t)) return;
  const pid = killService();
  assert.ok(existsSync(join(b.root, "run", "berth.sock")), "the dead service's socket is still there");
  assert.ok(existsSync(join(b.root, "run", "service.pid")), "and its pid file");
  b.ok("network", "create", "svc-stale");
  const next = servicePid();
  assert.ok(next !== undefined && next !== pid);
  b.ok("network", "rm", "svc-stale");
});

test("a service still stopping after its socket went (system reset removes the run dir) holds the lock: the next command waits for it, then starts a new one", async (t) => {
  if (!requireSandbox(t)) return;
  const pid = killService();
  rmSync(join(b.root, "run", "berth.sock"), { force: true });
  // the stopping service: something that holds the service lock for a few seconds and serves nothing
  const holder = spawn("flock", ["-x", join(b.root, "run", "service.lock"), "-c", "echo held; sleep 4"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("exit", (code) => reject(new Error(`flock exited ${String(code)} before it held the lock`)));
  });
  const r = await b.start("network", "ls", "-q");
  assert.equal(r.code, 0, r.stderr);
  const next = servicePid();
  assert.ok(next !== undefined && next !== pid, "a new service serves");
  assert.match(readFileSync(join(b.root, "run", "service.log"), "utf8"), /another Berth service holds the lock/, "the first one started left to the holder");
});

test("a run dir removed under the service and a new socket made at once where its socket was: the service stops and leaves the new socket alone (Node unlinks a path it bound when its server closes; ext4 may give the new file the old inode)", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("ps");
  const pid = servicePid();
  assert.ok(pid !== undefined);
  const runDir = join(b.root, "run");
  const sock = join(runDir, "berth.sock");
  const oldIno = statSync(sock).ino;
  // what `system reset` does to the run dir, then a successor's socket at the same path
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { mode: 0o700 });
  const successor = createServer();
  await new Promise<void>((r) => successor.listen(sock, r));
  try {
    t.diagnostic(`the new socket's inode is ${statSync(sock).ino === oldIno ? "the old one's" : "another"}`);
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const look = () => (!alive(pid) ? resolve() : Date.now() - started > 10_000 ? reject(new Error(`service ${pid} still runs`)) : setTimeout(look, 50));
      look();
    });
    assert.ok(existsSync(sock), "the successor's socket is still there");
  } finally {
    await new Promise<void>((r) => successor.close(() => r()));
    rmSync(sock, { force: true });
  }
  b.ok("ps");
  assert.notEqual(servicePid(), pid, "the next command started a new service");
});

test("the socket refuses a peer that is not root, even if its file mode would let one in", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("ps");
  const sock = join(b.root, "run", "berth.sock");
  // a mistaken chmod: the directory and socket open to everyone; SO_PEERCRED still says no
  chmodSync(b.root, 0o711);
  chmodSync(join(b.root, "run"), 0o711);
  chmodSync(sock, 0o666);
  try {
    const script = `const s = require("node:net").connect(${JSON.stringify(sock)});
      s.on("connect", () => s.write(JSON.stringify({ v: 1, id: 1, method: "network.list" }) + "\\n"));
      let d = ""; s.on("data", (c) => (d += c)); s.on("close", () => process.stdout.write(d)); s.on("error", (e) => process.stdout.write("ERR " + e.code));`;
    const r = spawnSync(process.execPath, ["-e", script], { uid: 65534, gid: 65534, encoding: "utf8", timeout: 10_000, cwd: "/" });
    const reply = JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(reply.error.code, "PERMISSION");
    assert.match(reply.error.message, /root only; this connection's user is uid 65534/);
    assert.match(reply.error.hint, /as root/);
  } finally {
    chmodSync(sock, 0o600);
    chmodSync(join(b.root, "run"), 0o700);
    chmodSync(b.root, 0o700);
  }
});

test("a client of a newer build replaces an older service once it is idle", (t) => {
  if (!requireSandbox(t)) return;
  const sp = servicePid();
  if (sp !== undefined) {
    process.kill(sp, "SIGTERM");
    waitGone(sp);
  }
  // a service that says it is an older build
  b.runWith({ BERTH_BUILD_ID: "older-build" }, "ps");
  const old = servicePid();
  assert.ok(old !== undefined);
  assert.match(readFileSync(join(b.root, "run", "service.pid"), "utf8"), /older-build/);
  b.ok("network", "create", "svc-upgrade");
  waitGone(old);
  const now = servicePid();
  assert.ok(now !== undefined && now !== old, "this build's service serves now");
  assert.doesNotMatch(readFileSync(join(b.root, "run", "service.pid"), "utf8"), /older-build/);
  assert.match(b.ok("network", "ls"), /svc-upgrade/, "the change was made, by the new service");
  b.ok("network", "rm", "svc-upgrade");
});

test("socket activation: a service handed a listening socket (LISTEN_FDS, as systemd's berth.socket does) serves it", async (t) => {
  if (!requireSandbox(t)) return;
  const activator = "/usr/bin/systemd-socket-activate";
  if (!existsSync(activator)) {
    if (process.env["CI"] === "true") throw new Error(`${activator} is missing (scripts/install-deps.sh --test installs systemd)`);
    t.skip(`${activator} is missing`);
    return;
  }
  const old = servicePid();
  if (old !== undefined) {
    process.kill(old, "SIGTERM");
    waitGone(old);
  }
  const sock = join(b.root, "run", "berth.sock");
  const service = fileURLToPath(new URL("../../../bin/berth-service", import.meta.url));
  const child = spawn(
    activator,
    ["-l", sock, "-E", `BERTH_ROOT=${b.root}`, "-E", `BERTH_RESOLV_CONF=${b.env["BERTH_RESOLV_CONF"] ?? ""}`, process.execPath, service],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let said = "";
  child.stderr.on("data", (d: Buffer) => (said += d.toString()));
  try {
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(existsSync(sock), `the activator listens: ${said}`);
    // the first connection starts the service on the activator's socket
    b.ok("network", "create", "svc-activated");
    assert.equal(servicePid(), child.pid, "the activated process serves (no service of the client's own)");
    // its log line reaches us through the activator's stderr pipe
    for (let i = 0; i < 200 && !said.includes("socket-activated"); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(said, /serving .*berth\.sock \(socket-activated\)/);
    assert.match(b.ok("network", "ls"), /svc-activated/);
    b.ok("network", "rm", "svc-activated");
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  assert.ok(existsSync(sock), "a socket-activated service leaves the socket to its owner");
});

/** netavark's input for one container on network "deferred" (the captured Podman input, re-addressed). */
function netavarkInput(id: string): string {
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL("../../../test/fixtures/podman/setup-port.json", import.meta.url)), "utf8")) as Record<
    string,
    unknown
  > & { networks: Record<string, { static_ips: string[] }>; network_info: Record<string, Record<string, unknown>> };
  const [perNet] = Object.values(doc.networks);
  const [info] = Object.values(doc.network_info);
  assert.ok(perNet && info);
  perNet.static_ips = ["10.76.0.5"];
  return JSON.stringify({
    ...doc,
    container_id: id,
    container_name: "deferred1",
    networks: { deferred: perNet },
    network_info: { deferred: { ...info, name: "deferred", network_interface: "podman76", subnets: [{ subnet: "10.76.0.0/24", gateway: "10.76.0.1" }] } },
    port_mappings: [{ host_ip: "", container_port: 80, host_port: 9712, range: 1, protocol: "tcp" }],
  });
}

test("a Podman teardown's veth goes after the reply, yet a setup of the same container right after finds its names free", (t) => {
  if (!requireSandbox(t)) return;
  const id = "d".repeat(64);
  const json = netavarkInput(id);
  const cfg = join(b.root, "netavark-config");
  spawnSync("mkdir", ["-p", cfg]);
  const netns = (n: string) => {
    const p = join(b.root, n);
    spawnSync("touch", [p]);
    assert.equal(spawnSync("unshare", [`--net=${p}`, "true"]).status, 0);
    return p;
  };
  const call = (verb: string, ns: string) => spawnSync(NETAVARK, ["--config", cfg, verb, ns], { input: json, env: b.env, encoding: "utf8" });
  const first = netns("ns-deferred-1");
  const second = netns("ns-deferred-2");
  try {
    assert.equal(call("setup", first).status, 0);
    const td = call("teardown", first);
    assert.equal(td.status, 0, td.stdout);
    // the same container id on the same network again at once: the same veth name, address and port
    const again = call("setup", second);
    assert.equal(again.status, 0, again.stdout);
    assert.match(again.stdout, /10\.76\.0\.5/);
    assert.match(berthTable(), /9712/);
    assert.equal(call("teardown", second).status, 0);
    assert.doesNotMatch(berthTable(), /9712/);
    // the deferred deletion is done before any later change: after one more, no veth is left
    b.ok("network", "create", "svc-after-deferred");
    b.ok("network", "rm", "svc-after-deferred");
    assert.deepEqual(
      b.leftovers().filter((l) => l.startsWith("link bth")),
      [],
    );
  } finally {
    for (const p of [first, second]) {
      spawnSync("umount", [p]);
      spawnSync("rm", ["-f", p]);
    }
  }
});

test("berth events --format json follows network create/remove, attach/detach and publish/unpublish, whoever made them", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("ps");
  const follower = spawn(process.execPath, [BERTH, "events", "--format", "json"], { env: b.env, stdio: ["ignore", "pipe", "pipe"] });
  const events: { Type: string; Status: string; Name: string; Attributes: Record<string, string> }[] = [];
  let buf = "";
  follower.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      events.push(JSON.parse(buf.slice(0, nl)) as (typeof events)[number]);
      buf = buf.slice(nl + 1);
    }
  });
  try {
    // ready once a change made now is reported: probe until one is
    const seen0 = () => events.some((e) => e.Name === "svc-ev-probe" && e.Status === "create");
    for (let i = 0; i < 20 && !seen0(); i++) {
      b.ok("network", "create", "svc-ev-probe");
      for (let j = 0; j < 40 && !seen0(); j++) await new Promise((r) => setTimeout(r, 25));
      b.ok("network", "rm", "svc-ev-probe");
    }
    assert.ok(seen0(), "the follower hears the service");
    b.ok("network", "create", "svc-events");
    b.ok("run", "-d", "--name", "evented", "--network", "svc-events", "-p", "9713:8080", "sleep", "600");
    b.ok("rm", "-f", "evented");
    b.ok("network", "rm", "svc-events");
    const want = [
      "network create svc-events",
      "container attach evented",
      "container publish evented",
      "container unpublish evented",
      "container detach evented",
      "network remove svc-events",
    ];
    for (let i = 0; i < 200 && want.some((w) => !events.some((e) => `${e.Type} ${e.Status} ${e.Name}` === w)); i++) await new Promise((r) => setTimeout(r, 25));
    const seen = events.map((e) => `${e.Type} ${e.Status} ${e.Name}`);
    for (const w of want) assert.ok(seen.includes(w), `${w} in ${JSON.stringify(seen)}`);
    assert.ok(seen.indexOf("network create svc-events") < seen.indexOf("container attach evented"), "in the order it happened");
    const publish = events.find((e) => e.Status === "publish" && e.Attributes["hostIp"] === "0.0.0.0");
    assert.deepEqual(publish?.Attributes, { proto: "tcp", hostIp: "0.0.0.0", hostPort: "9713", containerPort: "8080" });
    assert.equal(events.find((e) => e.Status === "attach")?.Attributes["network"], "svc-events");
  } finally {
    follower.kill("SIGTERM");
  }
});

test("a change that never ends (a runtime that does not answer) holds the turn: a change behind it fails after BERTH_CHANGE_WAIT with SERVICE_BUSY naming it, unstarted; views still answer", async (t) => {
  if (!requireSandbox(t)) return;
  const s = new BerthSandbox().withoutUpstreamDns();
  // the service reads the wait when it starts: its first client's environment
  s.env["BERTH_CHANGE_WAIT"] = "2";
  const runtime = join(s.root, "stuck-runtime");
  // never answers `create`; anything else (the rollback's `delete`) finds nothing to do
  writeFileSync(runtime, '#!/bin/sh\nfor a in "$@"; do [ "$a" = create ] && { sleep 611; exit 1; }; done\nexit 0\n', { mode: 0o755 });
  const stuckRuntime = () => spawnSync("pgrep", ["-f", runtime], { encoding: "utf8" }).stdout.trim();
  try {
    s.ok("network", "create", "busy-net");
    s.env["BERTH_RUNTIME"] = runtime;
    const stuck = s.start("run", "-d", "--name", "stuck", "--network", "busy-net", "busybox", "sleep", "600");
    delete s.env["BERTH_RUNTIME"];
    await waitFor(() => stuckRuntime() !== "", "the runtime to be called");

    const later = s.run("network", "create", "later-net");
    assert.equal(later.code, 125, later.stderr);
    assert.match(
      later.stderr,
      /^Error: This change waited 2 s for its turn and was not started; another change holds the Berth service: berth run, for [0-9]+ s$/m,
    );
    assert.match(later.stderr, /^Hint: If that change is stuck .*ps -o pid,etime,args --ppid [0-9]+/m);
    const nv = spawnSync(NETAVARK, ["--config", join(s.root, "nv"), "teardown", join(s.root, "no-such-ns")], {
      env: s.env,
      input: "{}",
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.match(nv.stdout, /waited 2 s for its turn/, `netavark's caller hears it too: ${nv.stdout}${nv.stderr}`);
    assert.equal(s.run("ps", "-a").code, 0, "a view does not wait for the turn");
    assert.doesNotMatch(s.ok("network", "ls"), /later-net/, "the change that gave up made nothing");

    // the stuck runtime ends: the run fails and rolls back, and the turn passes on
    spawnSync("pkill", ["-f", "sleep 611"]);
    const r = await stuck;
    assert.notEqual(r.code, 0, r.stdout);
    s.ok("network", "create", "later-net");
  } finally {
    spawnSync("pkill", ["-f", "sleep 611"]);
    s.dispose();
  }
});

async function waitFor(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ok(), `timed out waiting for ${what}`);
}
