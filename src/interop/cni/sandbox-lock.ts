import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { EWOULDBLOCK, LOCK_EX, LOCK_NB, errno, libc } from "../../kernel/libc.js";
import { KernelError } from "../../errors.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode } from "./spec.js";

/** How long a call waits for another call on the same container before it asks the runtime to try again. */
const WAIT_MS = 120_000;

/** Calls of this process waiting on or holding a container's lock, by lock file (a resident service runs many). */
const inProcess = new Map<string, Promise<void>>();

export interface SandboxLockOptions {
  /** Said once on stderr (the runtime's log) when the call has to wait. */
  readonly onWait?: () => void;
  readonly waitMs?: number;
}

/**
 * Run `fn` as the only CNI call on container `id` on this host: ADD, DEL
 * and CHECK of one container take turns, so a DEL racing an ADD (a runtime
 * retrying, or giving up on a slow ADD) sees all of the ADD's effect or
 * none of it, never a half-made sandbox. The lock is per container id, not
 * per interface: a container's interfaces share one record. Between
 * processes it is an flock(2) on a file in the run directory (root's, and
 * the kernel lets go when a holder dies); within one process, a queue.
 * A DEL that forgets the container removes the lock file (removeSandboxLock).
 */
export async function withSandboxLock<T>(runDir: string, id: string, fn: () => Promise<T>, opts: SandboxLockOptions = {}): Promise<T> {
  const dir = join(runDir, "cni-locks");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${createHash("sha256").update(id).digest("hex").slice(0, 32)}.lock`);
  const before = inProcess.get(file);
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const queued = (before ?? Promise.resolve()).then(() => mine);
  inProcess.set(file, queued);
  let said = false;
  const sayWait = () => {
    if (!said) opts.onWait?.();
    said = true;
  };
  try {
    if (before !== undefined) {
      sayWait();
      await before;
    }
    const fd = await lockFile(file, opts.waitMs ?? WAIT_MS, sayWait);
    try {
      return await fn();
    } finally {
      closeSync(fd);
    }
  } finally {
    release();
    if (inProcess.get(file) === queued) inProcess.delete(file);
  }
}

/**
 * Take the exclusive flock of `file`, waiting for its holder. A lock file
 * removed and made anew while we waited (see removeSandboxLock) is not the
 * one the next caller locks, so the lock is retaken on the file that is
 * there now.
 */
async function lockFile(file: string, waitMs: number, onWait: () => void): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) {
      if (sameFile(fd, file)) return fd;
      closeSync(fd);
      continue;
    }
    const e = errno();
    closeSync(fd);
    if (e !== EWOULDBLOCK) throw new KernelError(`lock ${file}`, e);
    if (Date.now() > deadline)
      throw new CniError(CniErrorCode.TRY_AGAIN_LATER, `another CNI call on this container held its lock for ${waitMs / 1000} s`, "try again later");
    onWait();
    await delay(pause);
  }
}

function sameFile(fd: number, file: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(file);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/** Remove the lock file of a container that is gone; call while holding its lock (inside withSandboxLock's fn). */
export function removeSandboxLock(runDir: string, id: string): void {
  const file = join(runDir, "cni-locks", `${createHash("sha256").update(id).digest("hex").slice(0, 32)}.lock`);
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}
