#!/usr/bin/env node
// `npm test`: install missing system packages, build, then run the unit and
// integration tests inside throwaway network, mount and pid namespaces
// (`unshare --net --mount --pid`), so the machine's own interfaces, nft tables
// and /run are never touched and everything vanishes when they exit.
//
// The whole suite runs as jobs, BERTH_TEST_JOBS (default 2) at a time: the
// unit tests together, then each integration test file alone, each job in a
// sandbox of its own (its own namespaces and /run/netns: scripts/sandbox-run.mjs),
// so no file sees another's leftovers. Most of a test's time is waiting (for
// processes, the kernel, timeouts), so two at a time on two cores take about
// two thirds of the time of one after the other. A job's output is printed
// whole when it ends. Files named on the command line run in one job, in order.
import { spawn, spawnSync } from "node:child_process";
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

/** The command that runs `files` with node's test runner in a sandbox of their own. */
function sandboxed(files) {
  return [
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
  ];
}

// the resolver exits with the last name (no linger, docs/architecture.md), so a test's leftover check sees it go;
// dns.test.ts tests the linger itself
process.env["BERTH_DNS_LINGER_MS"] ??= "0";

if (only.length > 0) {
  const [cmd, args] = sandboxed(only);
  process.exit(run(cmd, args));
}

const unit = findTests("dist/src").sort();
// the larger files first (they tend to run longest), so the last jobs to end are short ones
const integration = findTests("dist/test").sort((a, b) => statSync(b).size - statSync(a).size || a.localeCompare(b));
const jobs = [{ name: "unit tests (dist/src)", files: unit }, ...integration.map((f) => ({ name: f, files: [f] }))];
const width = Math.max(1, Number(process.env["BERTH_TEST_JOBS"] ?? 2) || 1);
const totals = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
const failed = [];
const started = Date.now();

/** One job: its output kept until it ends, then printed whole with its counts added to the totals. */
function runJob(job) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const [cmd, args] = sandboxed(job.files);
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    p.stdout.on("data", (d) => chunks.push(d));
    p.stderr.on("data", (d) => chunks.push(d));
    p.on("close", (code, signal) => {
      const out = Buffer.concat(chunks).toString("utf8");
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      process.stdout.write(`\n── ${job.name} (${secs} s, exit ${code ?? signal}) ──\n${out}`);
      for (const k of Object.keys(totals)) {
        const m = new RegExp(`^ℹ ${k} (\\d+)$`, "m").exec(out);
        if (m) totals[k] += Number(m[1]);
      }
      if (code !== 0) failed.push(job.name);
      resolve();
    });
  });
}

const queue = [...jobs];
await Promise.all(
  Array.from({ length: Math.min(width, queue.length) }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await runJob(job);
  }),
);
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(`\n── all tests: ${jobs.length} jobs, ${width} at a time, ${minutes} min ──`);
for (const [k, v] of Object.entries(totals)) console.log(`ℹ ${k} ${v}`);
if (failed.length > 0) {
  console.log(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
