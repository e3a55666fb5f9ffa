#!/usr/bin/env node
// Bundles each adapter a runtime starts once per call (Podman's network
// backend, the CNI plugin) with the engine modules it loads into one file
// in dist/src/interop/, so every call reads and compiles one module instead
// of ~100 (see bench/README.md). Native addons stay external. The bundles sit
// in dist/src/interop/ so that paths the engine computes from
// import.meta.url ("../cli/main.js", for the DNS daemon) still point at
// dist/src/cli/. Run after `tsc` (npm run build does both).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
const bundles = [
  { entry: "interop/podman/main.js", out: "interop/podman-netavark.mjs" },
  { entry: "interop/cni/main.js", out: "interop/cni-plugin.mjs" },
];
for (const b of bundles) {
  await build({
    entryPoints: [`${dist}${b.entry}`],
    outfile: `${dist}${b.out}`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3", "koffi"],
    logLevel: "warning",
  });
}
