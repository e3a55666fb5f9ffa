// Attach + detach of one container to one network, in-process (engine API)
// and through the CLI (`berth network connect/disconnect`), with 1, 100 and
// 500 containers already on the network. Run as root; it creates its own
// throwaway "host" namespace: `npm run bench` (see bench/README.md).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { berthPaths } from "../src/paths.js";
import { Engine } from "../src/engine/context.js";
import { createNetwork } from "../src/engine/commands/network-create.js";
import { attachNetwork, detachNetwork } from "../src/engine/network/attach.js";
import { netnsDelete, netnsDirRelease } from "../src/kernel/index.js";
import type { Container } from "../src/model/container.js";
import type { Network } from "../src/model/network.js";
import { enterBenchSandbox } from "./sandbox.js";
import { median } from "./median.js";
import { fakeContainer } from "./fake-container.js";

const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const LEVELS = [1, 100, 500];
const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 40);
const CLI_SAMPLES = Number(process.env["BENCH_CLI_SAMPLES"] ?? 10);
/** BENCH_SPOOF_FILTER=false: the network opts out of the bridge ports' anti-spoofing filter (the cost without it). */
const SPOOF_FILTER = process.env["BENCH_SPOOF_FILTER"] !== "false";

function main(): void {
  enterBenchSandbox(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), "berth-bench-"));
  const env = { ...process.env, BERTH_ROOT: root };
  const engine = Engine.real(berthPaths(env));
  const rows: string[] = [];
  try {
    const net: Network = createNetwork(engine, {
      name: "bench",
      subnet: "10.200.0.0/16",
      disableDns: true,
      ...(SPOOF_FILTER ? {} : { options: { spoof_filter: "false" } }),
    });
    const population: Container[] = [];
    for (const level of LEVELS) {
      while (population.length < level) {
        const c = fakeContainer(engine, `pop${population.length}`);
        engine.store.write(() => attachNetwork(engine, c, net, { network: net.name }));
        population.push(c);
      }
      const probe = fakeContainer(engine, `probe${level}`);
      const attach: number[] = [];
      const detach: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        engine.store.write(() => attachNetwork(engine, probe, net, { network: net.name }));
        const t1 = performance.now();
        engine.store.write(() => detachNetwork(engine, probe, net));
        const t2 = performance.now();
        attach.push(t1 - t0);
        detach.push(t2 - t1);
      }
      const cliAttach: number[] = [];
      const cliDetach: number[] = [];
      for (let i = 0; i < CLI_SAMPLES; i++) {
        const t0 = performance.now();
        const a = spawnSync(process.execPath, [MAIN, "network", "connect", "bench", probe.name], { env, encoding: "utf8" });
        const t1 = performance.now();
        const d = spawnSync(process.execPath, [MAIN, "network", "disconnect", "bench", probe.name], { env, encoding: "utf8" });
        const t2 = performance.now();
        if (a.status !== 0 || d.status !== 0) throw new Error(`CLI failed: ${a.stderr}${d.stderr}`);
        cliAttach.push(t1 - t0);
        cliDetach.push(t2 - t1);
      }
      rows.push(
        `| ${level} | ${median(attach).toFixed(2)} | ${median(detach).toFixed(2)} | ${median(cliAttach).toFixed(1)} | ${median(cliDetach).toFixed(1)} |`,
      );
      engine.store.write(() => engine.store.containers.delete(probe.id));
      netnsDelete(probe.netns ?? "");
    }
    process.stdout.write(
      `attach/detach of one container, median ms (${SAMPLES} in-process samples, ${CLI_SAMPLES} CLI samples per level; spoof filter ${SPOOF_FILTER ? "on" : "off"})\n`,
    );
    process.stdout.write("| containers on the network | in-process attach | in-process detach | CLI connect | CLI disconnect |\n|---|---|---|---|---|\n");
    process.stdout.write(`${rows.join("\n")}\n`);
  } finally {
    for (const c of engine.store.containers.list()) if (c.netns) netnsDelete(c.netns);
    netnsDirRelease(engine.paths.netnsDir);
    engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main();
