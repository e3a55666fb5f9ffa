#!/usr/bin/env node
// `npm test`: install missing system packages, build, then run every unit and
// integration test in ONE node test run inside a throwaway network and mount
// namespace (`unshare --net --mount`), so the machine's own interfaces, nft
// tables and /run are never touched and everything vanishes when it exits.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const top = join(fileURLToPath(import.meta.url), "..", "..");
process.chdir(top);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

if (process.getuid?.() !== 0) {
  console.error("npm test runs the integration tests as root (they create namespaces, bridges and nft tables).");
  console.error("Run it as root, or run `npm run test:unit` for the tests that need no privileges.");
  process.exit(1);
}

if (run("bash", ["scripts/install-deps.sh", "--test"]) !== 0) process.exit(1);
// A real client the suite drives that is still missing fails the run here, loudly.
if (run(process.execPath, ["scripts/require-clients.mjs"]) !== 0) process.exit(1);
if (run("npx", ["tsc", "-p", "tsconfig.json"]) !== 0) process.exit(1);
if (run(process.execPath, ["scripts/bundle.mjs"]) !== 0) process.exit(1);
// typescript-eslint (eslint.config.mjs) and the formatter check: part of every CI run
if (run("npx", ["eslint", "."]) !== 0) process.exit(1);
if (run("npx", ["prettier", "--check", "--log-level", "warn", "."]) !== 0) {
  console.error("Formatting differs from prettier's: run `npm run format`");
  process.exit(1);
}

function findTests(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (e.endsWith(".test.js")) out.push(p);
  }
  return out;
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...findTests("dist/src"), ...findTests("dist/test")].sort();

const status = run(
  "unshare",
  [
    "--net",
    "--mount",
    "--pid",
    "--mount-proc",
    "--propagation",
    "private",
    "--fork",
    "--kill-child",
    "--",
    process.execPath,
    "scripts/sandbox-run.mjs",
    process.execPath,
    "--test",
    "--test-concurrency=1",
    "--test-reporter=spec",
    ...files,
  ],
  {
    // the resolver exits with the last name (no linger, docs/architecture.md), so a test's leftover check sees it go;
    // dns.test.ts tests the linger itself
    env: { ...process.env, BERTH_DNS_LINGER_MS: process.env["BERTH_DNS_LINGER_MS"] ?? "0" },
  },
);
process.exit(status);
