// The kernel layer's hot path: create a veth pair whose peer is made directly
// inside a container namespace (one RTM_NEWLINK), then configure the peer
// (address, up, default route) through a handle opened in that namespace;
// and delete it again. Median over BENCH_ITERATIONS (default 200).
// Run as root; it re-runs itself in a throwaway network + mount namespace:
//   npx tsc -p tsconfig.json && node dist/bench/kernel-veth.js
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { NetlinkHandle, netnsCreate, netnsDelete, netnsDirRelease } from "../src/kernel/index.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const ITERATIONS = Number(process.env["BENCH_ITERATIONS"] ?? 200);

function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length * 0.9)] ?? NaN;
}

function timed(samples: number[], fn: () => void): void {
  const t0 = performance.now();
  fn();
  samples.push(performance.now() - t0);
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-kernel-"));
  const nsPath = join(dir, "netns", "c1");
  const host = NetlinkHandle.open();
  const samples = { vethAdd: [] as number[], attach: [] as number[], linkDel: [] as number[] };
  try {
    const br = host.bridgeAdd({ name: "kbench0" });
    host.addrAdd(br.index, "10.231.0.1", 16);
    netnsCreate(nsPath);
    for (let i = 0; i < ITERATIONS; i++) {
      const name = `kb${i}`;
      timed(samples.attach, () => {
        const fd = openSync(nsPath, "r");
        try {
          timed(samples.vethAdd, () =>
            host.vethAdd({ name, peerName: "eth0", peerNetnsFd: fd, masterIndex: br.index, up: true, peerMac: "02:00:0a:e7:00:02" }),
          );
        } finally {
          closeSync(fd);
        }
        const c = NetlinkHandle.open(nsPath);
        try {
          const eth0 = c.linkByName("eth0");
          if (!eth0) throw new Error("eth0 missing after vethAdd");
          c.addrAdd(eth0.index, "10.231.0.2", 16);
          c.linkSetUp(eth0.index);
          c.routeAdd({ gateway: "10.231.0.1" });
        } finally {
          c.close();
        }
      });
      const link = host.linkByName(name);
      if (!link) throw new Error(`${name} missing`);
      timed(samples.linkDel, () => host.linkDel(link.index));
    }
  } finally {
    host.linkRemove("kbench0");
    netnsDelete(nsPath);
    netnsDirRelease(join(dir, "netns"));
    host.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (what: string, xs: number[]) => `${what.padEnd(58)} median ${median(xs).toFixed(2)} ms   p90 ${p90(xs).toFixed(2)} ms`;
  console.log(`kernel-veth: ${ITERATIONS} iterations`);
  console.log(row("vethAdd (peer created inside the netns, enslaved, up)", samples.vethAdd));
  console.log(row("vethAdd + open handle in netns + addr + up + default route", samples.attach));
  console.log(row("linkDel of the host end (peer goes with it)", samples.linkDel));
}

main();
