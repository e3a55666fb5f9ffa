// The anti-spoofing filter's cost: its nft transactions alone (guard and
// unguard one port with 500 ports already filtered, beside a port publish
// on the same table), and attach + detach of one container alternating
// between a network with the filter and one with `spoof_filter=false`, in
// one process, so both see the same load. Run as root:
// `npm run build && node dist/bench/spoof-filter.js` (see bench/README.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { berthPaths } from "../src/paths.js";
import { Engine } from "../src/engine/context.js";
import { createNetwork } from "../src/engine/commands/network-create.js";
import { attachNetwork, detachNetwork } from "../src/engine/network/attach.js";
import { netnsDelete, netnsDirRelease } from "../src/kernel/index.js";
import { NftApplier, renderAddPortMappings, renderBaseTable, renderDeletePortMappings } from "../src/firewall/index.js";
import { renderGuardPorts, renderSpoofBase, renderUnguardPorts, type GuardedPort } from "../src/firewall/render-spoof.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";
import { fakeContainer } from "./fake-container.js";

const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 60);

function timed(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
const portOf = (i: number): GuardedPort => ({
  port: `bth${hex(i, 12)}`,
  mac: `02:00:00:00:${hex((i >> 8) & 255, 2)}:${hex(i & 255, 2)}`,
  ips: [`10.200.${(i >> 8) & 255}.${i & 255}`],
  ips6: [],
});

function transactions(): string {
  const nft = new NftApplier();
  nft.apply(renderBaseTable() + renderSpoofBase());
  for (let i = 1; i <= 500; i++) nft.apply(renderGuardPorts([portOf(i)]));
  const [guard, unguard, publish, unpublish]: number[][] = [[], [], [], []];
  for (let k = 0; k < SAMPLES; k++) {
    const p = portOf(1000 + k);
    const m = { proto: "tcp" as const, hostIp: "0.0.0.0", hostPort: 20000 + k, containerIp: "10.200.9.9", containerPort: 80 };
    guard?.push(timed(() => nft.apply(renderGuardPorts([p]))));
    unguard?.push(timed(() => nft.apply(renderUnguardPorts([p]))));
    publish?.push(timed(() => nft.apply(renderAddPortMappings([m]))));
    unpublish?.push(timed(() => nft.apply(renderDeletePortMappings([m]))));
  }
  nft.deleteTable();
  nft.apply("add table bridge berth\ndelete table bridge berth\n");
  const kind = nft.kind;
  nft.close();
  const f = (xs: number[] | undefined) => median(xs ?? []).toFixed(2);
  return `${kind}, 500 ports filtered: guard ${f(guard)} ms, unguard ${f(unguard)} ms; a port publish ${f(publish)} ms, unpublish ${f(unpublish)} ms`;
}

function attachDetach(): string {
  const root = mkdtempSync(join(tmpdir(), "berth-bench-"));
  const engine = Engine.real(berthPaths({ ...process.env, BERTH_ROOT: root }));
  try {
    const on = createNetwork(engine, { name: "on", subnet: "10.201.0.0/16", disableDns: true });
    const off = createNetwork(engine, { name: "off", subnet: "10.202.0.0/16", disableDns: true, options: { spoof_filter: "false" } });
    // a neighbour on each keeps the bridges up between samples
    engine.store.write(() => attachNetwork(engine, fakeContainer(engine, "na"), on, { network: "on" }));
    engine.store.write(() => attachNetwork(engine, fakeContainer(engine, "nb"), off, { network: "off" }));
    const probes = [fakeContainer(engine, "pa"), fakeContainer(engine, "pb")];
    const r = { on: { a: [] as number[], d: [] as number[] }, off: { a: [] as number[], d: [] as number[] } };
    for (let i = 0; i < SAMPLES; i++) {
      for (const [k, c, n] of [
        ["on", probes[0], on],
        ["off", probes[1], off],
      ] as const) {
        if (!c) continue;
        r[k].a.push(timed(() => engine.store.write(() => attachNetwork(engine, c, n, { network: n.name }))));
        r[k].d.push(timed(() => engine.store.write(() => detachNetwork(engine, c, n))));
      }
    }
    const f = (xs: number[]) => median(xs).toFixed(2);
    return `attach + detach, median of ${SAMPLES}: filter on ${f(r.on.a)} + ${f(r.on.d)} ms; off ${f(r.off.a)} + ${f(r.off.d)} ms`;
  } finally {
    for (const c of engine.store.containers.list()) if (c.netns) netnsDelete(c.netns);
    netnsDirRelease(engine.paths.netnsDir);
    engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

enterBenchSandbox(import.meta.url);
process.stdout.write(`${transactions()}\n${attachDetach()}\n`);
