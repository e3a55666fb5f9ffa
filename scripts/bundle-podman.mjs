#!/usr/bin/env node
// Bundles Podman's network backend (dist/src/interop/podman/main.js and the
// engine modules it loads) into one file, dist/src/interop/podman-netavark.mjs,
// so each `netavark` call Podman makes reads and compiles one module instead
// of ~100 (see bench/README.md, "Podman backend"). Native addons stay
// external. The bundle sits in dist/src/interop/ so that paths the engine
// computes from import.meta.url ("../cli/main.js", for the DNS daemon) still
// point at dist/src/cli/. Run after `tsc` (npm run build does both).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
await build({
  entryPoints: [`${dist}interop/podman/main.js`],
  outfile: `${dist}interop/podman-netavark.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3", "koffi"],
  logLevel: "warning",
});
