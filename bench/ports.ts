// Cost of publishing one container's ports when 0, 100, 1000 and 5000
// mappings already exist: Berth adds map elements in one nft transaction,
// so the cost should stay flat. Run as root: `npm run bench:ports`.
import { performance } from "node:perf_hooks";
import { Firewall, type DnatMapping } from "../src/firewall/index.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const LEVELS = [0, 100, 1000, 5000];
const SAMPLES = 30;

function mapping(i: number): DnatMapping {
  return {
    proto: i % 2 === 0 ? "tcp" : "udp",
    hostIp: "0.0.0.0",
    hostPort: 1024 + Math.floor(i / 2),
    containerIp: `10.88.${Math.floor(i / 250) % 250}.${(i % 250) + 2}`,
    containerPort: 8080,
  };
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  const fw = new Firewall();
  fw.syncNetworks([{ name: "bench", bridge: "berth0", subnet: "10.88.0.0/16", internal: false, isolate: true }]);
  let existing = 0;
  const rows: string[] = [];
  for (const level of LEVELS) {
    const batch: DnatMapping[] = [];
    while (existing < level) batch.push(mapping(existing++));
    for (let i = 0; i < batch.length; i += 500) fw.addPortMappings(batch.slice(i, i + 500));
    const add: number[] = [];
    const del: number[] = [];
    const probe = [
      { proto: "tcp" as const, hostIp: "0.0.0.0", hostPort: 60000, containerIp: "10.88.250.250", containerPort: 80 },
      { proto: "tcp" as const, hostIp: "127.0.0.1", hostPort: 60001, containerIp: "10.88.250.250", containerPort: 81 },
    ];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      fw.addPortMappings(probe);
      const t1 = performance.now();
      fw.removePortMappings(probe);
      del.push(performance.now() - t1);
      add.push(t1 - t0);
    }
    rows.push(`| ${level} | ${median(add).toFixed(2)} | ${median(del).toFixed(2)} |`);
  }
  fw.reset();
  process.stdout.write(`publish / unpublish 2 mappings of one container, median ms over ${SAMPLES} samples (libnftables in-process)\n`);
  process.stdout.write("| mappings already published | publish | unpublish |\n|---|---|---|\n");
  process.stdout.write(`${rows.join("\n")}\n`);
}

main();
