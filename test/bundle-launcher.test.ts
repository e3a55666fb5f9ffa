// bin/bundle-launcher.cjs: the CommonJS bundles of the CLI and the adapters run through a V8
// code cache that must never run code of an older bundle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../../bin/bundle-launcher.cjs", import.meta.url));

/** Run `bundle` in a fresh process as an adapter call would; its answer and whether the cache was used. */
function call(bundle: string, full: boolean): { answer: string; usedCache: boolean } {
  const script = `const r = require(${JSON.stringify(LAUNCHER)}).runBundle(${JSON.stringify(bundle)}, ${full}); console.log(JSON.stringify({ answer: r.exports.answer(), usedCache: r.usedCache }));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { answer: string; usedCache: boolean };
}

test("a bundle runs, writes its code cache after a full call, and uses it on the next call", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-launcher-"));
  try {
    const bundle = join(dir, "adapter.cjs");
    writeFileSync(bundle, 'exports.answer = () => "one";\n');
    assert.deepEqual(call(bundle, false), { answer: "one", usedCache: false });
    assert.equal(existsSync(`${bundle}.v8cache`), false, "a call that is not full (version) writes no cache");
    assert.deepEqual(call(bundle, true), { answer: "one", usedCache: false });
    assert.equal(existsSync(`${bundle}.v8cache`), true);
    assert.deepEqual(call(bundle, false), { answer: "one", usedCache: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a rebuilt bundle of the same length never runs through the old cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-launcher-"));
  try {
    const bundle = join(dir, "adapter.cjs");
    writeFileSync(bundle, 'exports.answer = () => "one";\n');
    call(bundle, true);
    assert.equal(call(bundle, false).usedCache, true);
    // same length, so V8's own check (source length) would accept the old cache
    writeFileSync(bundle, 'exports.answer = () => "two";\n');
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(call(bundle, true), { answer: "two", usedCache: false });
    assert.deepEqual(call(bundle, false), { answer: "two", usedCache: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
