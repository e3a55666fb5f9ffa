// Berth under Kubernetes' container runtime interface, driven the way a
// kubelet drives it: a private containerd 1.6 with its CRI plugin, whose
// CNI configuration `berth cni install` wrote, and CRI runtime.v1 calls over
// gRPC (RunPodSandbox, CreateContainer, ExecSync, StopPodSandbox twice,
// RemovePodSandbox). No test here calls the plugin itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox, type Skippable } from "../helpers.js";
import { HOST_ADDR, OUTSIDE_ADDR, makeOutside, type Outside } from "../outside.js";
import { CriNode, POD_IMAGE, containerdMissing } from "../cri/containerd.js";
import type { PodSandboxConfig } from "../cri/client.js";

const BERTH = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
const POD_CIDR = "10.88.1.0/24";
const POD_ADDR = /^10\.88\.1\.\d+$/;
const CLUSTER_CIDR = "10.88.0.0/16";
/** The link the node shares with the outside machine (test/outside.ts). */
const NODE_CIDR = "198.51.100.0/24";
const DNS = { servers: ["10.96.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local"], options: ["ndots:5"] };

let b: BerthSandbox | undefined;
let outside: Outside | undefined;
let node: CriNode | undefined;
/** Sandboxes a test made and has not removed yet (removed in after() if a test fails). */
const live = new Set<string>();

before(async () => {
  if (!inSandbox() || containerdMissing()) return;
  b = new BerthSandbox();
  const dir = mkdtempSync(join(b.root, "cri-"));
  const confDir = join(dir, "net.d");
  const binDir = join(dir, "bin");
  // the node's CNI files, written by Berth's installer as an operator would
  b.ok("cni", "install", "--pod-cidr", POD_CIDR, "--cluster-cidr", CLUSTER_CIDR, "--node-cidr", NODE_CIDR, "--conf-dir", confDir, "--bin-dir", binDir);
  symlinkSync("/usr/lib/cni/loopback", join(binDir, "loopback"));
  outside = makeOutside(dir);
  node = await CriNode.start({ dir, env: b.env, cniConfDir: confDir, cniBinDir: binDir });
});

after(async () => {
  for (const id of live) {
    await node?.client.stopPodSandbox(id).catch(() => undefined);
    await node?.client.removePodSandbox(id).catch(() => undefined);
  }
  await node?.stop();
  outside?.remove();
  b?.dispose();
});

/** The sandbox, and containerd with its CRI plugin; in CI a missing containerd fails the test. */
function requireNode(t: Skippable): CriNode | undefined {
  if (!requireSandbox(t)) return undefined;
  const missing = containerdMissing();
  if (missing !== undefined) {
    if (process.env["CI"] === "true") throw new Error(`the CRI test needs containerd: ${missing}`);
    t.skip(missing);
    return undefined;
  }
  assert.ok(node, "containerd started");
  return node;
}

/** `berth ARGS...` in containerd's mount namespace, where the pods' namespace files are. */
function berth(n: CriNode, ...args: string[]): string {
  const r = n.exec([process.execPath, BERTH, ...args]);
  assert.equal(r.code, 0, `berth ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Pod {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly ip: string;
  /** The container serving /cgi-bin/whoami on port 80. */
  readonly web: string;
}

/** A pod as the kubelet makes one: sandbox, then a web server container; waits until it serves. */
async function runPod(n: CriNode, name: string, over: Partial<PodSandboxConfig> = {}): Promise<Pod> {
  const config: PodSandboxConfig = { metadata: { name, uid: `uid-${name}`, namespace: "default", attempt: 0 }, hostname: name, dnsConfig: DNS, ...over };
  const id = await n.client.runPodSandbox(config);
  live.add(id);
  const status = await n.client.podSandboxStatus(id);
  assert.equal(status.state, "SANDBOX_READY");
  const web = await n.client.createContainer(
    id,
    { metadata: { name: "web", attempt: config.metadata.attempt ?? 0 }, image: { image: POD_IMAGE }, command: ["/bin/httpd", "-f", "-p", "80", "-h", "/www"] },
    config,
  );
  await n.client.startContainer(web);
  let up = false;
  for (let i = 0; i < 50 && !up; i++) {
    up = (await askFromPod(n, { id, config, ip: "", web }, "127.0.0.1")) !== undefined;
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(up, `the web server in ${name} is up`);
  return { id, config, ip: status.network?.ip ?? "", web };
}

/** busybox httpd writes IPv4 clients as [::ffff:a.b.c.d]. */
function addressOf(whoami: string): string {
  return whoami
    .trim()
    .replace(/^\[/, "")
    .replace(/\]$/, "")
    .replace(/^::ffff:/, "");
}

/**
 * Ask http://HOST:PORT/cgi-bin/whoami from inside a pod: the address the
 * server saw, or undefined. (busybox-static's `wget -T` crashes in a
 * container, so ExecSync's timeout bounds the wait.)
 */
async function askFromPod(n: CriNode, pod: Pod, host: string, port = 80): Promise<string | undefined> {
  const r = await n.client.execSync(pod.web, ["wget", "-qO-", `http://${host}:${port}/cgi-bin/whoami`], 5).catch(() => undefined);
  return r?.exitCode === 0 ? addressOf(r.stdout) : undefined;
}

/** The same from a network namespace (the node's own when `netns` is undefined). */
function askFrom(netns: string | undefined, host: string, port: number): string | undefined {
  const wget = ["timeout", "3", "busybox", "wget", "-qO-", `http://${host}:${port}/cgi-bin/whoami`];
  const argv = netns ? ["nsenter", `--net=${netns}`, ...wget] : wget;
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? addressOf(r.stdout) : undefined;
}

/** Stop twice (as the kubelet may), then remove. */
async function removePod(n: CriNode, pod: Pod): Promise<void> {
  await n.client.stopPodSandbox(pod.id);
  await n.client.stopPodSandbox(pod.id);
  await n.client.removePodSandbox(pod.id);
  live.delete(pod.id);
}

/** No sandbox in Berth, no veth, no nft element, no namespace file left by the pods. */
function assertNothingLeft(n: CriNode, podIps: readonly string[]): void {
  assert.ok(b);
  assert.equal(berth(n, "ps", "-a", "-q").trim(), "", "berth ps lists no pod");
  assert.deepEqual(
    b.leftovers().filter((l) => l.startsWith("link bth")),
    [],
    "no pod veth is left",
  );
  const table = spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout;
  for (const ip of podIps) assert.doesNotMatch(table, new RegExp(ip.replace(/\./g, "\\.")), `no nft element names ${ip}`);
  assert.doesNotMatch(table, /dnat_(addr|any)[^}]*elements/, "the port maps are empty");
  assert.deepEqual(n.netnsFiles(), [], "containerd's network namespaces are gone");
}

test("CRI Version and Status: containerd serves runtime.v1 and says the network is ready with Berth's configuration", async (t) => {
  const n = requireNode(t);
  if (!n) return;
  const v = await n.client.version();
  assert.equal(v.runtimeName, "containerd");
  assert.equal(v.runtimeApiVersion, "v1");
  const conditions = await n.client.status();
  assert.deepEqual(conditions.find((c) => c.type === "NetworkReady")?.status, true, JSON.stringify(conditions));
  assert.deepEqual(conditions.find((c) => c.type === "RuntimeReady")?.status, true);
});

test("CRI pods: addresses from Berth's subnet, pod to pod with the client's own address, the kubelet's DNS config in resolv.conf; a re-created sandbox of the same pod; nothing left after Stop twice and Remove", async (t) => {
  const n = requireNode(t);
  if (!n) return;
  const a = await runPod(n, "alpha");
  const c = await runPod(n, "charlie");
  assert.match(a.ip, POD_ADDR, "PodSandboxStatus has an address from the node's pod CIDR");
  assert.match(c.ip, POD_ADDR);
  assert.notEqual(a.ip, c.ip);
  assert.equal(await askFromPod(n, c, a.ip), c.ip, "charlie reaches alpha, which sees charlie's own address");
  assert.equal(await askFromPod(n, a, c.ip), a.ip, "and back");
  assert.match(berth(n, "ps", "--format", "{{.Name}}"), /alpha\.default/, "berth ps shows the pod by its Kubernetes name");

  const resolv = await n.client.execSync(a.web, ["cat", "/etc/resolv.conf"]);
  assert.match(resolv.stdout, /^nameserver 10\.96\.0\.10$/m);
  assert.match(resolv.stdout, /^search default\.svc\.cluster\.local svc\.cluster\.local$/m);
  assert.match(resolv.stdout, /^options ndots:5$/m);
  assert.doesNotMatch(resolv.stdout, /nameserver 10\.88\./, "no Berth resolver: the cluster has its own DNS");
  const listeners = spawnSync("ss", ["-H", "-l", "-n", "-u", "-t"], { encoding: "utf8" }).stdout;
  assert.doesNotMatch(listeners, /10\.88\.1\.1:53\b/, "nothing serves DNS on the pods' gateway");

  // the kubelet re-creates a pod's sandbox (attempt 1) after stopping the old one, before removing it
  await n.client.stopPodSandbox(a.id);
  const again = await runPod(n, "alpha", { metadata: { name: "alpha", uid: "uid-alpha", namespace: "default", attempt: 1 } });
  assert.match(again.ip, POD_ADDR);
  assert.equal(await askFromPod(n, c, again.ip), c.ip, "the new sandbox serves");

  const ips = [a.ip, c.ip, again.ip];
  for (const p of [a, again, c]) await removePod(n, p);
  assertNothingLeft(n, ips);
});

test("CRI hostPort: the node and an outside machine reach the pod with their own addresses; the pod reaches its own hostPort (hairpin) and a second pod reaches it; Stop twice and Remove leave nothing", async (t) => {
  const n = requireNode(t);
  if (!n || !outside) return;
  const web = await runPod(n, "web", { portMappings: [{ protocol: "TCP", containerPort: 80, hostPort: 30080 }] });
  const other = await runPod(n, "other");
  assert.match(web.ip, POD_ADDR);
  assert.equal(askFrom(outside.ns, HOST_ADDR, 30080), OUTSIDE_ADDR, "from outside, through the node's address, with the client's address kept");
  assert.ok(askFrom(undefined, HOST_ADDR, 30080), "from the node itself, to its own address");
  assert.ok(askFrom(undefined, "127.0.0.1", 30080), "from the node itself, to 127.0.0.1");
  assert.match(berth(n, "port", "--all"), /80\/tcp -> 0\.0\.0\.0:30080/);
  assert.ok(await askFromPod(n, web, HOST_ADDR, 30080), "the pod reaches itself through its hostPort");
  assert.ok(await askFromPod(n, other, HOST_ADDR, 30080), "another pod on the node reaches the hostPort");

  await removePod(n, web);
  assert.equal(askFrom(outside.ns, HOST_ADDR, 30080), undefined, "the hostPort is gone with the pod");
  await removePod(n, other);
  assertNothingLeft(n, [web.ip, other.ip]);
});
