import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireSingleton, singletonLockPath } from "./singleton.js";

test("acquireSingleton() lets one holder in per directory, and the next one in once it lets go", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-singleton-"));
  const other = mkdtempSync(join(tmpdir(), "berth-singleton-"));
  try {
    const first = await acquireSingleton(dir);
    assert.ok(first);
    assert.equal(await acquireSingleton(dir, 100), undefined, "taken");
    const elsewhere = await acquireSingleton(other, 100);
    assert.ok(elsewhere, "another directory is another lock");
    elsewhere.close();
    const waiting = acquireSingleton(dir, 2000);
    setTimeout(() => first.close(), 100);
    const second = await waiting;
    assert.ok(second, "acquired after the holder closed");
    second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test("acquireSingleton() refuses a lock file that is a symbolic link, and leaves its target alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-singleton-"));
  try {
    const target = join(dir, "target");
    writeFileSync(target, "precious\n");
    symlinkSync(target, singletonLockPath(dir));
    await assert.rejects(
      acquireSingleton(dir, 100),
      (e: Error & { code?: string; hint?: string }) => /symbolic link/.test(e.message) && /Remove .*resolver\.lock/.test(e.hint ?? ""),
    );
    assert.equal(readFileSync(target, "utf8"), "precious\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
