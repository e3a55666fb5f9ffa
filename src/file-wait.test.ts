import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitInDir } from "./file-wait.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "berth-file-wait-"));
}

test("waitInDir: a file written into the directory ends the wait, before the poll would look", async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "exit");
    // a poll far longer than the timeout: only the directory's event can end the wait in time
    const wait = waitInDir(dir, () => existsSync(file), { timeoutMs: 10_000, pollMs: 60_000, names: ["exit"] });
    writeFileSync(file, "0");
    assert.equal(await wait.done, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("waitInDir: false after the timeout, false when cancelled, and a missing directory is polled", async () => {
  const dir = tempDir();
  try {
    assert.equal(await waitInDir(dir, () => false, { timeoutMs: 30 }).done, false);
    const w = waitInDir(dir, () => false, { timeoutMs: 10_000 });
    w.cancel();
    assert.equal(await w.done, false);
    const missing = join(dir, "not-yet");
    let looks = 0;
    assert.equal(await waitInDir(missing, () => ++looks >= 3, { timeoutMs: 10_000, pollMs: 5 }).done, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
