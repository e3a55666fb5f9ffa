#!/usr/bin/env node
// Bundles each Berth program that runs once per call (the CLI, Podman's
// network backend, the CNI plugin) with the modules it loads into one
// CommonJS file, so that a call reads and compiles one script, through a V8
// code cache (bin/bundle-launcher.cjs), instead of resolving ~100 ES modules
// (see bench/README.md). Native addons stay external. Each bundle sits two
// levels under dist/ (dist/src/cli/, dist/src/interop/), as the modules do,
// so that paths computed from import.meta.url ("../dns/daemon-main.js",
// "../../../bin/berth") resolve the same from a bundle as from a module.
// Run after `tsc` (npm run build does both).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
const bundles = [
  { entry: "cli/program.js", out: "cli/berth.cjs" },
  { entry: "interop/podman/main.js", out: "interop/podman-netavark.cjs" },
  { entry: "interop/cni/main.js", out: "interop/cni-plugin.cjs" },
];
// Graphviz (850 KB, mostly WebAssembly), for `topology --format svg|html`
// only: a CommonJS file of its own beside the CLI's bundle, required on use
const graphviz = "cli/graphviz-wasm.cjs";
await build({
  entryPoints: ["@hpcc-js/wasm-graphviz"],
  outfile: `${dist}${graphviz}`,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "error",
});
const graphvizBeside = {
  name: "graphviz-beside",
  setup(b) {
    b.onResolve({ filter: /^@hpcc-js\/wasm-graphviz$/ }, () => ({ path: "./graphviz-wasm.cjs", external: true }));
  },
};

for (const b of bundles) {
  await build({
    entryPoints: [`${dist}${b.entry}`],
    outfile: `${dist}${b.out}`,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["better-sqlite3", "koffi", "@koromix/*"],
    plugins: [graphvizBeside],
    // import() becomes require(): a script run through vm.Script has no ES module loader
    supported: { "dynamic-import": false },
    // CommonJS has no import.meta: give the modules the bundle's own URL
    define: { "import.meta.url": "__berthBundleUrl" },
    banner: { js: 'const __berthBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "warning",
  });
  rmSync(`${dist}${b.out}.v8cache`, { force: true });
}
// bundles of an earlier build (ES modules)
for (const old of ["interop/podman-netavark.mjs", "interop/cni-plugin.mjs"]) rmSync(`${dist}${old}`, { force: true });
