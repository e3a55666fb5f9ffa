// The README's first command runs `berth walkthrough`: every check in it must pass
// on the real kernel, and it must leave nothing behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";

test("berth walkthrough passes every check of the seed tutorial and cleans up after itself", (t) => {
  if (!requireSandbox(t)) return;
  const b = new BerthSandbox();
  try {
    const r = b.run("walkthrough");
    assert.equal(r.code, 0, `walkthrough failed:\n${r.stdout.split("\n").filter((l) => /FAILED|Error/.test(l)).join("\n")}\n${r.stderr}`);
    assert.match(r.stdout, /every check passed/);
    assert.doesNotMatch(r.stdout, /FAILED/);
    assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container left");
    assert.deepEqual(b.ok("network", "ls", "-q").trim().split("\n").filter((n) => n.startsWith("wt-")), [], "no walkthrough network left");
  } finally {
    b.dispose();
  }
  assert.deepEqual(b.leftovers(), []);
});
