// Pod sandboxes through Kubernetes' CRI, as a kubelet makes and removes
// them: RunPodSandbox, StopPodSandbox, RemovePodSandbox against a private
// containerd 1.6 (test/cri/), with Berth's plugin (the conflist
// `berth cni install` writes) and with the reference chain bridge +
// host-local + portmap from /usr/lib/cni, in the same run: one containerd
// per chain, the chains alternating sandbox by sandbox so machine load hits
// both alike. With 0 and 1 hostPort; the first pod on a fresh node (one
// sample: Berth creates its network then), once with the Berth service
// started by that pod and once with it running already (as from boot with
// berth.service enabled), and warm pods (an anchor pod keeps the network
// up, as on a busy node). Medians over BENCH_SAMPLES
// sandboxes (default 9). Run as root: `npm run bench:cri`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { CriNode, containerdMissing } from "../test/cri/containerd.js";
import type { PodSandboxConfig } from "../test/cri/client.js";
import { installCni } from "../src/interop/cni/install.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 9);
/** First pods with the service running already (each on a node reset to nothing). */
const FIRST_SAMPLES = Number(process.env["BENCH_FIRST_SAMPLES"] ?? 5);
const REFERENCE = process.env["BENCH_CNI_PATH"] ?? "/usr/lib/cni";
const REFERENCE_PLUGINS = ["loopback", "bridge", "host-local", "portmap"];

interface Timing {
  readonly run: number;
  readonly stop: number;
  readonly remove: number;
}

const total = (t: Timing): number => t.run + t.stop + t.remove;

let seq = 0;
function podConfig(chain: string, hostPort: number | undefined): PodSandboxConfig {
  const name = `${chain}-${seq++}`;
  return {
    metadata: { name, uid: `uid-${name}`, namespace: "bench", attempt: 0 },
    hostname: name,
    ...(hostPort === undefined ? {} : { portMappings: [{ protocol: "TCP" as const, containerPort: 80, hostPort }] }),
  };
}

/** One sandbox's life through CRI, each call timed. */
async function cycle(node: CriNode, chain: string, hostPort?: number): Promise<Timing> {
  const config = podConfig(chain, hostPort);
  const t0 = performance.now();
  const id = await node.client.runPodSandbox(config);
  const t1 = performance.now();
  await node.client.stopPodSandbox(id);
  const t2 = performance.now();
  await node.client.removePodSandbox(id);
  const t3 = performance.now();
  return { run: t1 - t0, stop: t2 - t1, remove: t3 - t2 };
}

function referenceConflist(ipamDir: string): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name: "refpods",
    plugins: [
      {
        type: "bridge",
        bridge: "cni0",
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: "host-local", ranges: [[{ subnet: "10.89.1.0/24" }]], routes: [{ dst: "0.0.0.0/0" }], dataDir: ipamDir },
      },
      { type: "portmap", capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** Berth's CLI, in this process's build. */
function berthCli(env: NodeJS.ProcessEnv, ...args: string[]): void {
  spawnSync(process.execPath, [fileURLToPath(new URL("../src/cli/main.js", import.meta.url)), ...args], { env });
}

/** Stop and remove the pods that kept the networks up (once). */
async function removeAnchors(anchors: [CriNode, string][]): Promise<void> {
  for (const [node, id] of anchors.splice(0)) {
    await node.client.stopPodSandbox(id).catch(() => undefined);
    await node.client.removePodSandbox(id).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  enterBenchSandbox(import.meta.url);
  const missing = containerdMissing() ?? REFERENCE_PLUGINS.map((p) => join(REFERENCE, p)).find((p) => !existsSync(p));
  if (missing !== undefined) throw new Error(`bench:cri needs containerd and the reference CNI plugins: ${missing} is missing`);
  const root = mkdtempSync(join(tmpdir(), "berth-bench-cri-"));
  const env = { ...process.env, BERTH_ROOT: join(root, "berth") };
  const nodes = new Map<string, CriNode>();
  const anchors: [CriNode, string][] = [];
  const first = new Map<string, Timing[]>();
  const warm = new Map<string, Timing[]>();
  try {
    for (const chain of ["berth", "reference"]) {
      const dir = join(root, chain);
      const confDir = join(dir, "net.d");
      const binDir = join(dir, "bin");
      mkdirSync(confDir, { recursive: true });
      mkdirSync(binDir, { recursive: true });
      for (const p of REFERENCE_PLUGINS) symlinkSync(join(REFERENCE, p), join(binDir, p));
      if (chain === "berth")
        installCni({ podCidrs: ["10.88.1.0/24"], clusterCidrs: [], nodeCidrs: [], confDir, binDir, cniVersion: "1.0.0", name: "pods", force: false });
      else writeFileSync(join(confDir, "10-reference.conflist"), JSON.stringify(referenceConflist(join(dir, "ipam"))));
      nodes.set(chain, await CriNode.start({ dir, env, cniConfDir: confDir, cniBinDir: binDir }));
    }
    for (const [chain, node] of nodes) first.set(`${chain} first pod${chain === "berth" ? ", service started by it" : ""}`, [await cycle(node, chain)]);
    for (const [chain, node] of nodes) anchors.push([node, await node.client.runPodSandbox(podConfig(`${chain}-anchor`, undefined))]);
    for (const ports of [0, 1]) {
      for (let i = 0; i < SAMPLES; i++) {
        for (const [chain, node] of nodes) {
          const key = `${chain} ${ports} hostPort`;
          const list = warm.get(key) ?? [];
          warm.set(key, list);
          list.push(await cycle(node, chain, ports ? 30000 + i : undefined));
        }
      }
    }
    // The first pod again on a fresh node whose Berth service runs already, as
    // it does from boot with berth.service enabled (docs/kubernetes.md): every
    // pod gone, Berth's state reset (its network is made again by the pod), the
    // reference chain's bridge and leases gone likewise. The pod comes at once,
    // while the service may still be rehearsing its first attach.
    await removeAnchors(anchors);
    for (let i = 0; i < FIRST_SAMPLES; i++) {
      berthCli(env, "system", "reset", "-f");
      spawnSync("ip", ["link", "del", "cni0"]);
      rmSync(join(root, "reference", "ipam"), { recursive: true, force: true });
      // in containerd's mount namespace, where its plugins run (a service in another one is not theirs)
      const ensured = nodes.get("berth")?.exec([process.execPath, fileURLToPath(new URL("../../bin/berth-service", import.meta.url)), "--ensure"]);
      if (ensured?.code !== 0) throw new Error(`berth-service --ensure failed: ${ensured?.stderr ?? "no berth node"}`);
      for (const [chain, node] of nodes) {
        const key = `${chain} first pod, ${chain === "berth" ? "service running (boot)" : "again"}`;
        first.set(key, [...(first.get(key) ?? []), await cycle(node, chain)]);
      }
    }
  } finally {
    await removeAnchors(anchors);
    for (const node of nodes.values()) await node.stop();
    berthCli(env, "system", "reset", "-f");
    if (process.env["BENCH_KEEP"] === undefined) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
  const load = spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ").slice(0, 3).join(" ");
  console.log(`CRI RunPodSandbox + StopPodSandbox + RemovePodSandbox through containerd 1.6, ms (load average ${load})`);
  console.log(`${"sandbox".padEnd(56)}     run     stop   remove    total`);
  const row = (label: string, t: Timing) =>
    console.log(
      `${label.padEnd(56)} ${t.run.toFixed(0).padStart(7)} ${t.stop.toFixed(0).padStart(8)} ${t.remove.toFixed(0).padStart(8)} ${total(t).toFixed(0).padStart(8)}`,
    );
  const medianOf = (list: readonly Timing[]): Timing => ({
    run: median(list.map((t) => t.run)),
    stop: median(list.map((t) => t.stop)),
    remove: median(list.map((t) => t.remove)),
  });
  const firstMedians = new Map<string, Timing>();
  for (const [label, list] of first) {
    const m = medianOf(list);
    firstMedians.set(label, m);
    row(`${label} (${list.length === 1 ? "1 sample" : `median of ${list.length}`})`, m);
  }
  const medians = new Map<string, Timing>();
  for (const [key, list] of warm) {
    const m = medianOf(list);
    medians.set(key, m);
    row(`${key} (median of ${list.length})`, m);
  }
  for (const [label, bf, rf] of [
    ["service started by the pod", firstMedians.get("berth first pod, service started by it"), firstMedians.get("reference first pod")],
    ["service running (boot)", firstMedians.get("berth first pod, service running (boot)"), firstMedians.get("reference first pod, again")],
  ] as const) {
    if (bf && rf) console.log(`berth / reference, first pod, ${label}: run ${(bf.run / rf.run).toFixed(2)}, total ${(total(bf) / total(rf)).toFixed(2)}`);
  }
  for (const ports of [0, 1]) {
    const b = medians.get(`berth ${ports} hostPort`);
    const r = medians.get(`reference ${ports} hostPort`);
    if (b && r)
      console.log(
        `berth / reference, warm, ${ports} hostPort: run ${(b.run / r.run).toFixed(2)}, stop ${(b.stop / r.stop).toFixed(2)}, total ${(total(b) / total(r)).toFixed(2)}`,
      );
  }
}

await main();
