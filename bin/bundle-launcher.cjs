// Starts a Berth program that runs once per call (the CLI, Podman's network
// backend, the CNI plugin) as cheaply as Node allows: Node.js start-up is
// most of such a call (see bench/README.md). The program comes from its
// one-file CommonJS bundle (scripts/bundle.mjs), compiled with a V8 code
// cache kept next to it, so a call neither resolves ~100 modules nor starts
// the ES module loader nor re-parses the code. When the compiled modules are
// newer than the bundle (a `tsc` without `npm run build`), they are imported
// instead.
"use strict";
const { readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");
const { Script } = require("node:vm");

const DIST = join(__dirname, "..", "dist", "src");

function mtime(file) {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

/** The code cache is only valid for this exact bundle file: V8 itself checks little more than the source length. */
function cacheKey(file) {
  const st = statSync(file);
  return Buffer.from(`${process.version} ${st.size} ${st.mtimeMs}\n`);
}

function readCache(cacheFile, key) {
  try {
    const data = readFileSync(cacheFile);
    return data.subarray(0, key.length).equals(key) ? data.subarray(key.length) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile, key, script) {
  try {
    const tmp = `${cacheFile}.${process.pid}`;
    writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]), { mode: 0o644 });
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only install runs without the cache
  }
}

/**
 * Evaluate a CommonJS bundle through a code cache: its exports, and whether
 * a valid cache was used.
 * `writeCacheAtExit`: when there is no valid cache, write one at exit (a call that
 * does the real work, so that the cache holds the functions it compiled).
 */
function runBundle(file, writeCacheAtExit) {
  const cacheFile = `${file}.v8cache`;
  const key = cacheKey(file);
  const cachedData = readCache(cacheFile, key);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  // written at exit, so that it holds the functions this call compiled too
  if (writeCacheAtExit && (cachedData === undefined || script.cachedDataRejected)) process.once("exit", () => writeCache(cacheFile, key, script));
  return { exports: module.exports, usedCache: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Load the bundle dist/src/BUNDLE.cjs, or the compiled module `modulePath`
 * (under dist/src/) when that is newer. `opts.full`: this call does the
 * program's real work (not `version`), so it may write the code cache.
 */
async function loadBundle(bundle, modulePath, opts = {}) {
  const file = join(DIST, `${bundle}.cjs`);
  const modules = join(DIST, modulePath);
  if (mtime(file) >= mtime(modules)) return runBundle(file, opts.full === true).exports;
  return import(pathToFileURL(modules).href);
}

module.exports = { loadBundle, runBundle };
