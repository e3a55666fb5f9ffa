// Side by side, in one run: set up and tear down the network of one
// container with one published TCP port when it is the 1st, 100th and 500th
// container on its network, for
//   - Berth, through the engine API (lease, veth, address, route, port
//     reservation and the nft map element),
//   - Debian's netavark (its JSON on stdin, one process per call, as Podman
//     runs it), and
//   - the CNI reference chain bridge + host-local + portmap (one process per
//     plugin call, as a CNI runtime runs them),
// when they are installed. Every tool gets its own bridge, subnet and host
// ports. The namespace of each container is made before and deleted after
// the timed calls, as a runtime would. Run as root: `npm run bench:peers`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { berthPaths } from "../src/paths.js";
import { Engine } from "../src/engine/context.js";
import { createNetwork } from "../src/engine/commands/network-create.js";
import { attachNetwork, detachNetwork } from "../src/engine/network/attach.js";
import { dnatMappings, publishPorts, reservePorts } from "../src/engine/ports/ports.js";
import { netnsCreate, netnsDelete, netnsDirRelease } from "../src/kernel/index.js";
import type { Container } from "../src/model/container.js";
import type { Network } from "../src/model/network.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";
import { containerRow } from "./fake-container.js";

const LEVELS = (process.env["BENCH_LEVELS"] ?? "1,100,500").split(",").map(Number);
const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 15);
const NETAVARK = process.env["BENCH_NETAVARK"] ?? "/usr/lib/podman/netavark";
const CNI_PATH = process.env["BENCH_CNI_PATH"] ?? "/usr/lib/cni";

interface Slot {
  readonly index: number;
  readonly netns: string;
}

/** One tool under test: set up / tear down container `slot` with one published port. */
interface Tool {
  readonly name: string;
  setup(slot: Slot): void;
  teardown(slot: Slot): void;
  close(): void;
}

function run(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { input, env, encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${String(r.status)}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** 10.X.a.b for container `i` (from .2 on; .1 is the gateway). */
function hostAddr(second: number, i: number): string {
  const n = i + 2;
  return `10.${second}.${n >> 8}.${n & 255}`;
}

function berthTool(root: string): Tool {
  const engine = Engine.real(berthPaths({ ...process.env, BERTH_ROOT: join(root, "berth") }));
  const net: Network = createNetwork(engine, { name: "bench", subnet: "10.201.0.0/16", disableDns: true, interfaceName: "bthbench0" });
  const byIndex = new Map<number, Container>();
  return {
    name: "Berth (engine API)",
    setup(slot) {
      const c = { ...containerRow(`c${slot.index}`, slot.netns), hostname: "c" };
      engine.store.write(() => {
        engine.store.containers.insert(c);
        attachNetwork(engine, c, net, { network: net.name });
        reservePorts(engine, c, [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 20000 + slot.index, containerPort: 80 }]);
      });
      publishPorts(engine, c);
      byIndex.set(slot.index, c);
    },
    teardown(slot) {
      const c = byIndex.get(slot.index);
      if (!c) return;
      engine.firewall.removePortMappings(dnatMappings(engine, c));
      engine.store.write(() => {
        detachNetwork(engine, c, net);
        engine.store.ports.deleteForContainer(c.id);
        engine.store.containers.delete(c.id);
      });
      byIndex.delete(slot.index);
    },
    close() {
      engine.firewall.reset();
      netnsDirRelease(engine.paths.netnsDir);
      engine.close();
    },
  };
}

function netavarkTool(root: string): Tool {
  const config = join(root, "netavark");
  mkdirSync(config, { recursive: true });
  const doc = (slot: Slot) =>
    JSON.stringify({
      container_id: slot.index.toString(16).padStart(64, "a"),
      container_name: `c${slot.index}`,
      networks: { nvbench: { interface_name: "eth0", static_ips: [hostAddr(202, slot.index)] } },
      network_info: {
        nvbench: {
          name: "nvbench",
          id: "b".repeat(64),
          driver: "bridge",
          network_interface: "nvbench0",
          subnets: [{ subnet: "10.202.0.0/16", gateway: "10.202.0.1" }],
          ipv6_enabled: false,
          internal: false,
          dns_enabled: false,
          ipam_options: { driver: "host-local" },
        },
      },
      port_mappings: [{ host_ip: "", container_port: 80, host_port: 30000 + slot.index, range: 1, protocol: "tcp" }],
      dns_servers: null,
    });
  return {
    name: "netavark 1.4 (iptables)",
    setup: (slot) => void run(NETAVARK, ["--config", config, "setup", slot.netns], doc(slot)),
    teardown: (slot) => void run(NETAVARK, ["--config", config, "teardown", slot.netns], doc(slot)),
    close: () => undefined,
  };
}

function cniTool(root: string): Tool {
  const dataDir = join(root, "cni-ipam");
  const bridge = {
    cniVersion: "1.0.0",
    name: "cnibench",
    type: "bridge",
    bridge: "cnibench0",
    isGateway: true,
    ipMasq: true,
    ipam: { type: "host-local", ranges: [[{ subnet: "10.203.0.0/16", gateway: "10.203.0.1" }]], dataDir },
  };
  const portmap = { cniVersion: "1.0.0", name: "cnibench", type: "portmap", capabilities: { portMappings: true } };
  const results = new Map<number, unknown>();
  const call = (plugin: string, command: "ADD" | "DEL", slot: Slot, conf: object): string =>
    run(join(CNI_PATH, plugin), [], JSON.stringify(conf), {
      ...process.env,
      CNI_COMMAND: command,
      CNI_CONTAINERID: `bench${slot.index}`,
      CNI_NETNS: slot.netns,
      CNI_IFNAME: "eth0",
      CNI_PATH,
    });
  const mappings = (slot: Slot) => ({ portMappings: [{ hostPort: 40000 + slot.index, containerPort: 80, protocol: "tcp" }] });
  return {
    name: "CNI bridge+host-local+portmap 1.1",
    setup(slot) {
      const prevResult: unknown = JSON.parse(call("bridge", "ADD", slot, bridge));
      const final: unknown = JSON.parse(call("portmap", "ADD", slot, { ...portmap, prevResult, runtimeConfig: mappings(slot) }));
      results.set(slot.index, final);
    },
    teardown(slot) {
      const prevResult = results.get(slot.index);
      call("portmap", "DEL", slot, { ...portmap, prevResult, runtimeConfig: mappings(slot) });
      call("bridge", "DEL", slot, { ...bridge, prevResult });
      results.delete(slot.index);
    },
    close: () => undefined,
  };
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), "berth-bench-peers-"));
  const nsDir = join(root, "ns");
  mkdirSync(nsDir);
  const tools: Tool[] = [berthTool(root)];
  const missing: string[] = [];
  if (existsSync(NETAVARK)) tools.push(netavarkTool(root));
  else missing.push(`netavark (${NETAVARK})`);
  if (existsSync(join(CNI_PATH, "bridge")) && existsSync(join(CNI_PATH, "portmap"))) tools.push(cniTool(root));
  else missing.push(`CNI plugins (${CNI_PATH})`);
  const made: Slot[] = [];
  const slot = (tool: number, index: number): Slot => {
    const s = { index, netns: join(nsDir, `t${tool}-${index}`) };
    netnsCreate(s.netns);
    made.push(s);
    return s;
  };
  const table: string[][] = LEVELS.map((l) => [String(l)]);
  try {
    for (const [ti, tool] of tools.entries()) {
      const population: Slot[] = [];
      for (const [li, level] of LEVELS.entries()) {
        const t0 = performance.now();
        while (population.length < level - 1) {
          const s = slot(ti, population.length);
          tool.setup(s);
          population.push(s);
        }
        const fill = performance.now() - t0;
        const setup: number[] = [];
        const teardown: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const s = slot(ti, 1000 + li * 100 + i);
          const a = performance.now();
          tool.setup(s);
          const b = performance.now();
          tool.teardown(s);
          const c = performance.now();
          netnsDelete(s.netns);
          setup.push(b - a);
          teardown.push(c - b);
        }
        table[li]?.push(`${median(setup).toFixed(1)} / ${median(teardown).toFixed(1)}`);
        process.stderr.write(
          `${tool.name}: container ${level}: setup ${median(setup).toFixed(1)} ms, teardown ${median(teardown).toFixed(1)} ms (filled ${population.length} in ${(fill / 1000).toFixed(1)} s)\n`,
        );
      }
      for (const s of population) tool.teardown(s);
      tool.close();
    }
  } finally {
    for (const s of made) netnsDelete(s.netns);
    netnsDirRelease(nsDir);
    rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(`\nsetup / teardown of one container with one published TCP port, median ms over ${SAMPLES} samples\n`);
  process.stdout.write(`| container | ${tools.map((t) => t.name).join(" | ")} |\n|---|${tools.map(() => "---|").join("")}\n`);
  for (const row of table) process.stdout.write(`| ${row.join(" | ")} |\n`);
  if (missing.length > 0) process.stdout.write(`not installed, skipped: ${missing.join(", ")}\n`);
}

main();
