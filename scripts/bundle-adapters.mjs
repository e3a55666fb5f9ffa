#!/usr/bin/env node
// Bundles each adapter a runtime starts once per call (Podman's network
// backend, the CNI plugin) with the engine modules it loads into one
// CommonJS file in dist/src/interop/, so that a call reads and compiles one
// script, through a V8 code cache (bin/adapter-launcher.cjs), instead of
// resolving ~100 ES modules (see bench/README.md). Native addons stay
// external. The bundles sit in dist/src/interop/ so that paths the engine
// computes from import.meta.url ("../cli/main.js", for the DNS daemon)
// still point at dist/src/cli/. Run after `tsc` (npm run build does both).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
const bundles = [
  { entry: "interop/podman/main.js", out: "interop/podman-netavark.cjs" },
  { entry: "interop/cni/main.js", out: "interop/cni-plugin.cjs" },
];
for (const b of bundles) {
  await build({
    entryPoints: [`${dist}${b.entry}`],
    outfile: `${dist}${b.out}`,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["better-sqlite3", "koffi", "@koromix/*"],
    // CommonJS has no import.meta: give the modules the bundle's own URL
    define: { "import.meta.url": "__berthBundleUrl" },
    banner: { js: 'const __berthBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "warning",
  });
  rmSync(`${dist}${b.out}.v8cache`, { force: true });
}
// bundles of an earlier build (ES modules)
for (const old of ["interop/podman-netavark.mjs", "interop/cni-plugin.mjs"]) rmSync(`${dist}${old}`, { force: true });
