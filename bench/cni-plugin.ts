// Berth's CNI plugin against the CNI reference chain, as a runtime runs
// them (one process per plugin call, config on stdin), in one run inside a
// throwaway network namespace:
//   - berth (its own IPAM; portMappings through runtimeConfig), and
//   - bridge + host-local, followed by portmap when a port is published,
// for ADD and DEL of one container with 0 and with 1 published port.
// Medians over BENCH_SAMPLES containers (default 15); the tools alternate
// container by container so machine load hits both alike.
// Run as root: `npm run bench:cni`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { CniRuntime } from "../test/cni-runner.js";
import { netnsCreate, netnsDelete, netnsDirRelease } from "../src/kernel/index.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 15);
const REFERENCE = process.env["BENCH_CNI_PATH"] ?? "/usr/lib/cni";
const PLUGIN = fileURLToPath(new URL("../../bin/cni/berth", import.meta.url));

interface Chain {
  readonly name: string;
  readonly list: (ports: boolean) => { cniVersion: string; name: string; plugins: Record<string, unknown>[] };
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), "berth-bench-cni-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  symlinkSync(PLUGIN, join(bin, "berth"));
  const haveReference = ["bridge", "host-local", "portmap"].every((p) => existsSync(join(REFERENCE, p)));
  if (haveReference) for (const p of ["bridge", "host-local", "portmap"]) symlinkSync(join(REFERENCE, p), join(bin, p));
  const runtime = new CniRuntime(bin, { ...process.env, BERTH_ROOT: join(root, "berth") });
  const chains: Chain[] = [
    {
      name: "berth",
      list: () => ({
        cniVersion: "1.0.0",
        name: "bbench",
        plugins: [{ type: "berth", subnet: "10.210.0.0/16", enableDns: false, capabilities: { portMappings: true } }],
      }),
    },
  ];
  if (haveReference) {
    chains.push({
      name: "reference",
      list: (ports) => ({
        cniVersion: "1.0.0",
        name: "rbench",
        plugins: [
          {
            type: "bridge",
            bridge: "rbench0",
            isGateway: true,
            ipMasq: true,
            ipam: { type: "host-local", ranges: [[{ subnet: "10.211.0.0/16" }]], dataDir: join(root, "ipam") },
          },
          ...(ports ? [{ type: "portmap", capabilities: { portMappings: true } }] : []),
        ],
      }),
    });
  } else {
    console.log(`reference plugins not found in ${REFERENCE}: measuring berth alone`);
  }
  const results = new Map<string, { add: number[]; del: number[] }>();
  let n = 0;
  const anchors: string[] = [];
  try {
    // one container stays on each network throughout, as on a busy node: the
    // bridge and Berth's adopted network exist before the timed calls
    for (const chain of chains) {
      const ns = join(root, `anchor-${n}`);
      netnsCreate(ns);
      anchors.push(ns);
      const anchor = runtime.list(chain.list(false), { command: "ADD", containerId: `anchor${n++}`, netns: ns, ifname: "eth0" });
      if (anchor.code !== 0) throw new Error(`${chain.name} anchor ADD failed: ${anchor.stdout}${anchor.stderr}`);
    }
    for (const ports of [false, true]) {
      for (let i = 0; i < SAMPLES; i++) {
        for (const chain of chains) {
          const key = `${chain.name} ${ports ? "1 port" : "0 ports"}`;
          const r = results.get(key) ?? { add: [], del: [] };
          results.set(key, r);
          const ns = join(root, `ns${n++}`);
          netnsCreate(ns);
          const inv = { containerId: `bench${n}`, netns: ns, ifname: "eth0" };
          const rc = ports ? { portMappings: [{ hostPort: 30000 + n, containerPort: 80, protocol: "tcp" }] } : undefined;
          const t0 = performance.now();
          const add = runtime.list(chain.list(ports), { command: "ADD", ...inv }, rc);
          const t1 = performance.now();
          if (add.code !== 0) throw new Error(`${key} ADD failed: ${add.stdout}${add.stderr}`);
          const del = runtime.list(chain.list(ports), { command: "DEL", ...inv }, rc, add.json);
          const t2 = performance.now();
          if (del.code !== 0) throw new Error(`${key} DEL failed: ${del.stdout}${del.stderr}`);
          netnsDelete(ns);
          r.add.push(t1 - t0);
          r.del.push(t2 - t1);
        }
      }
    }
  } finally {
    for (const ns of anchors) netnsDelete(ns);
    spawnSync(process.execPath, [fileURLToPath(new URL("../src/cli/main.js", import.meta.url)), "system", "reset", "-f"], {
      env: { ...process.env, BERTH_ROOT: join(root, "berth") },
    });
    netnsDirRelease(root);
    rmSync(root, { recursive: true, force: true });
  }
  console.log(
    `CNI ADD/DEL of one container, medians of ${SAMPLES} (ms), load average ${spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ").slice(0, 3).join(" ")}`,
  );
  console.log("chain (reference: bridge+host-local, +portmap with a port)   ADD      DEL    total");
  for (const [key, r] of results) {
    const add = median(r.add);
    const del = median(r.del);
    console.log(`${key.padEnd(58)} ${add.toFixed(1).padStart(6)} ${del.toFixed(1).padStart(8)} ${(add + del).toFixed(1).padStart(8)}`);
  }
  for (const ports of ["0 ports", "1 port"]) {
    const b = results.get(`berth ${ports}`);
    const ref = [...results.entries()].find(([k]) => k !== `berth ${ports}` && k.endsWith(ports))?.[1];
    if (b && ref) console.log(`berth / reference total, ${ports}: ${((median(b.add) + median(b.del)) / (median(ref.add) + median(ref.del))).toFixed(2)}`);
  }
}

main();
