// The topology as a picture: --format svg and html laid out by Graphviz in
// WebAssembly, opened in headless Chromium (Debian's chromium) and
// photographed. BERTH_PICTURE_OUT=FILE keeps the screenshot (the README's
// picture is made this way).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", "a PNG file");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test("topology --format svg/html: a Graphviz picture of the seed's scenario, opened in headless Chromium", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "frontend");
  b.ok("network", "create", "backend");
  b.ok("run", "-d", "--name", "web", "--network", "frontend", "-p", "9090:8080", "sleep", "600");
  b.ok("run", "-d", "--name", "both", "--network", "frontend,backend", "sleep", "600");
  b.ok("run", "-d", "--name", "db", "--network", "backend", "sleep", "600");
  const svg = b.ok("topology", "--format", "svg");
  assert.match(svg, /<svg[\s>]/);
  for (const label of ["berth1", "berth2", "web", "both", "db", "9090"]) assert.ok(svg.includes(label), `the picture names ${label}`);
  const html = b.ok("topology", "--format", "html");
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes("<svg"), "the page holds the svg inline (no network needed)");

  const page = join(b.root, "topology.html");
  const shot = join(b.root, "topology.png");
  writeFileSync(page, html);
  const r = spawnSync(
    "chromium",
    ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--screenshot=${shot}`, "--window-size=1400,1700", `file://${page}`],
    { encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const size = pngSize(shot);
  assert.deepEqual(size, { width: 1400, height: 1700 });
  // a blank page compresses to a few KB; the drawing makes it several times larger
  assert.ok(statSync(shot).size > 20_000, `the screenshot has a drawing in it (${statSync(shot).size} bytes)`);
  const keep = process.env["BERTH_PICTURE_OUT"];
  if (keep) copyFileSync(shot, keep);
  b.ok("rm", "-f", "web", "both", "db");
  b.ok("network", "rm", "frontend", "backend");
});
