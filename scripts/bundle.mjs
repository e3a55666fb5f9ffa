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
import { rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/src/", import.meta.url));
// this build's id: a client of another build replaces an idle service (src/service/launcher.ts);
// written into each bundle (src/service/build-id.ts) and to dist/build-id
const buildId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
const bundles = [
  { entry: "cli/program.js", out: "cli/berth.cjs" },
  { entry: "interop/podman/main.js", out: "interop/podman-netavark.cjs" },
  { entry: "interop/cni/main.js", out: "interop/cni-plugin.cjs" },
  // bin/berth's thin client (no engine, no commander) and the resident service
  { entry: "service/cli-client.js", out: "cli/berth-client.cjs" },
  // what that client loads only to start the service or follow its events
  { entry: "service/client-start.js", out: "cli/berth-start.cjs" },
  { entry: "service/entry.js", out: "service/berth-service.cjs" },
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
    // import() becomes require(): a script run through vm.Script has no ES module loader
    supported: { "dynamic-import": false },
    // CommonJS has no import.meta: give the modules the bundle's own URL, made when first asked for
    define: { "import.meta.url": "__berthBundle.url", __berthBuildId: JSON.stringify(buildId) },
    banner: { js: 'const __berthBundle = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
    logLevel: "warning",
  });
  rmSync(`${dist}${b.out}.v8cache`, { force: true });
}
// bundles of an earlier build (ES modules)
for (const old of ["interop/podman-netavark.mjs", "interop/cni-plugin.mjs"]) rmSync(`${dist}${old}`, { force: true });
writeFileSync(fileURLToPath(new URL("../dist/build-id", import.meta.url)), `${buildId}\n`);
// the commit it was built from: `netavark version` shows it as its "commit" (40 hex digits; zeros outside a git checkout)
const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" });
const commit = head.status === 0 && /^[0-9a-f]{40}$/.test(head.stdout.trim()) ? head.stdout.trim() : "0".repeat(40);
writeFileSync(fileURLToPath(new URL("../dist/build-commit", import.meta.url)), `${commit}\n`);
// the native transport (bin/podman/netavark, bin/cni/berth link to it): built again whenever its source changed
const transport = fileURLToPath(new URL("../dist/native/berth-transport", import.meta.url));
const source = fileURLToPath(new URL("../native/berth-transport.c", import.meta.url));
const { statSync } = await import("node:fs");
const mtime = (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (mtime(transport) < mtime(source)) {
  const r = spawnSync("bash", [fileURLToPath(new URL("build-native.sh", import.meta.url))], { stdio: "inherit" });
  if (r.status !== 0) process.exit(1);
}
