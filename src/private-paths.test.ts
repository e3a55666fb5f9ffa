import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPrivateDir, openAppendNoFollow, replaceFile } from "./private-paths.js";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "berth-private-"));
}

const unsafe = (re: RegExp) => (e: unknown) =>
  e instanceof Error &&
  (e as { code?: string }).code === "UNSAFE_PATH" &&
  re.test(e.message) &&
  /chmod|link|elsewhere/.test((e as { hint?: string }).hint ?? "");

test("checkPrivateDir() accepts a private directory and one not made yet, and refuses one others may write, a link, or a file", () => {
  const top = scratch();
  try {
    const ok = join(top, "ok");
    mkdirSync(ok, { mode: 0o755 });
    checkPrivateDir(ok, "run directory");
    checkPrivateDir(join(ok, "not-yet", "deeper"), "run directory");
    const open = join(top, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.throws(() => checkPrivateDir(open, "run directory"), unsafe(/the run directory is writable by every user \(mode 777\)/));
    assert.throws(
      () => checkPrivateDir(join(open, "child"), "run directory"),
      unsafe(/above the run directory, is writable by other users/),
      "a directory under it could be renamed away",
    );
    chmodSync(open, 0o1777);
    assert.throws(() => checkPrivateDir(open, "run directory"), unsafe(/writable by every user/), "sticky or not, the directory itself must be private");
    checkPrivateDir(join(open, "child"), "run directory"); // as under /tmp
    symlinkSync(ok, join(top, "link"));
    assert.throws(() => checkPrivateDir(join(top, "link"), "state directory"), unsafe(/is a symbolic link/));
    writeFileSync(join(top, "file"), "");
    assert.throws(() => checkPrivateDir(join(top, "file"), "state directory"), unsafe(/is not a directory/));
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

test("openAppendNoFollow() and replaceFile() never write through a planted symbolic link", () => {
  const top = scratch();
  try {
    const secret = join(top, "secret");
    writeFileSync(secret, "root only\n");
    symlinkSync(secret, join(top, "resolver.log"));
    assert.throws(() => openAppendNoFollow(join(top, "resolver.log")), unsafe(/resolver\.log: it is a symbolic link/));
    symlinkSync(secret, join(top, "resolver.pid.tmp"));
    replaceFile(join(top, "resolver.pid"), "42\n");
    assert.equal(readFileSync(join(top, "resolver.pid"), "utf8"), "42\n");
    assert.equal(readFileSync(secret, "utf8"), "root only\n");
    const fd = openAppendNoFollow(join(top, "fresh.log"));
    closeSync(fd);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
