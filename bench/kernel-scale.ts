// The kernel's share of a late container's setup, without Berth's engine,
// store or resolver: N network namespaces (default 1,000), each given a
// veth whose peer is created directly inside it, as Berth's attach does
// (vethAdd), then configured from a handle opened in the namespace
// (IPv6 autoconf off, address, link up, default route), in the order
// Berth's attach takes them (network/bridge-attach.ts, attach.ts). Each namespace is bind-mounted under a
// directory, as runtimes keep them. Medians of the 2nd-26th and the last 25.
// BENCH_BRIDGE=0 leaves the veths off the bridge, to tell what the bridge
// ports cost from what the namespaces cost; BENCH_MCAST_SNOOPING=0 makes the
// bridge without multicast snooping (on is the kernel's default, which
// Berth keeps). Run as root; it re-runs itself in a throwaway network + mount namespace:
//   npm run bench:kernel-scale (BENCH_CONTAINERS=N, BENCH_BRIDGE=0, BENCH_MCAST_SNOOPING=0)
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { NetlinkHandle, netnsCreate, netnsDelete, netnsDirRelease, sysctlWrite, withNetns } from "../src/kernel/index.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";

const COUNT = Number(process.env["BENCH_CONTAINERS"] ?? 1000);
const BRIDGE = process.env["BENCH_BRIDGE"] !== "0";
const SNOOPING = process.env["BENCH_MCAST_SNOOPING"] !== "0";
/** Containers in each median: the early ones after the 1st, and the last ones. */
const WINDOW = Math.max(1, Math.min(25, Math.floor((COUNT - 1) / 2)));

function timed<T>(samples: number[], fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  samples.push(performance.now() - t0);
  return out;
}

function main(): void {
  enterBenchSandbox(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-kscale-"));
  const nsDir = join(dir, "netns");
  const host = NetlinkHandle.open();
  const s = {
    netnsCreate: [] as number[],
    vethAdd: [] as number[],
    open: [] as number[],
    sysctl: [] as number[],
    addr: [] as number[],
    up: [] as number[],
    route: [] as number[],
  };
  const made: string[] = [];
  try {
    // as Berth makes its bridges (the kernel's defaults); BENCH_MCAST_SNOOPING=0 to compare without multicast snooping
    const br = host.bridgeAdd({ name: "kscale0", ...(SNOOPING ? {} : { multicastSnooping: false }) });
    host.addrAdd(br.index, "10.232.0.1", 16);
    host.linkSetUp(br.index);
    for (let i = 0; i < COUNT; i++) {
      const ns = join(nsDir, `c${i}`);
      timed(s.netnsCreate, () => netnsCreate(ns));
      made.push(ns);
      const fd = openSync(ns, "r");
      try {
        timed(s.vethAdd, () => host.vethAdd({ name: `ks${i}`, peerName: "eth0", peerNetnsFd: fd, ...(BRIDGE ? { masterIndex: br.index } : {}), up: true }));
      } finally {
        closeSync(fd);
      }
      const c = timed(s.open, () => NetlinkHandle.open(ns));
      try {
        const eth0 = c.linkByName("eth0");
        if (!eth0) throw new Error("eth0 missing after vethAdd");
        timed(s.sysctl, () => withNetns(ns, () => sysctlWrite("net.ipv6.conf.eth0.autoconf", "0")));
        const ip = `10.232.${Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 2}`;
        timed(s.addr, () => c.addrAdd(eth0.index, ip, 16));
        timed(s.up, () => c.linkSetUp(eth0.index));
        timed(s.route, () => c.routeAdd({ gateway: "10.232.0.1" }));
      } finally {
        c.close();
      }
    }
  } finally {
    host.linkRemove("kscale0");
    for (const ns of made) netnsDelete(ns);
    netnsDirRelease(nsDir);
    host.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `kernel-scale: ${COUNT} namespaces, veths ${BRIDGE ? `on one bridge (multicast snooping ${SNOOPING ? "on" : "off"})` : "on no bridge"}; medians in ms`,
  );
  console.log(`| step | 2nd-${1 + WINDOW}th | ${COUNT - WINDOW + 1}th-${COUNT}th |`);
  console.log("|---|---|---|");
  for (const [k, xs] of Object.entries(s)) console.log(`| ${k} | ${median(xs.slice(1, 1 + WINDOW)).toFixed(2)} | ${median(xs.slice(-WINDOW)).toFixed(2)} |`);
  // a step's deferred work can land on the next one: the setup's whole share (the namespace is the runtime's) tells more
  const setup = s.vethAdd.map((v, i) => v + (s.open[i] ?? 0) + (s.sysctl[i] ?? 0) + (s.addr[i] ?? 0) + (s.up[i] ?? 0) + (s.route[i] ?? 0));
  console.log(`| all but netnsCreate | ${median(setup.slice(1, 1 + WINDOW)).toFixed(2)} | ${median(setup.slice(-WINDOW)).toFixed(2)} |`);
}

main();
