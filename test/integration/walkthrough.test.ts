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
    assert.equal(
      r.code,
      0,
      `walkthrough failed:\n${r.stdout
        .split("\n")
        .filter((l) => /FAILED|Error/.test(l))
        .join("\n")}\n${r.stderr}`,
    );
    assert.match(r.stdout, /every check passed/);
    assert.doesNotMatch(r.stdout, /FAILED/);
    // the evidence itself, not only the walkthrough's verdict on it
    assert.match(r.stdout, /^ {3,}hello from wt-database$/m, "curl printed the database's page to a container on its network");
    assert.match(r.stdout, /NXDOMAIN/, "nslookup from the other network printed NXDOMAIN");
    assert.match(r.stdout, /tcp \. 9090 : 10\.\d+\.\d+\.\d+ \. 8080/, "nft listed the published port's map element");
    assert.match(r.stdout, /^ {3,}hello from wt-pub$/m, "curl through a published port printed the container's page");
    assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container left");
    assert.deepEqual(
      b
        .ok("network", "ls", "-q")
        .trim()
        .split("\n")
        .filter((n) => n.startsWith("wt-")),
      [],
      "no walkthrough network left",
    );
  } finally {
    b.dispose();
  }
  assert.deepEqual(b.leftovers(), []);
});
