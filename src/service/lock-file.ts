import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { EWOULDBLOCK, LOCK_EX, LOCK_NB, errno, libc } from "../kernel/libc.js";
import { BerthError, KernelError } from "../errors.js";

/** A held flock: close() lets it go (so does the holder's death). */
export interface HeldLock {
  close(): void;
}

/**
 * Try once to take an exclusive flock on `file` in a root-only directory
 * (opened without following a link; must be a regular file of this user).
 * Undefined when another process holds it.
 */
export function tryLockFile(file: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    throw new BerthError("STATE", `Cannot open the lock file ${file}: ${(e as Error).message}`, {
      hint: `Remove ${file} (only root may create files in its directory)`,
    });
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.uid !== (process.geteuid?.() ?? 0)) {
    closeSync(fd);
    throw new BerthError("STATE", `The lock file ${file} is not a regular file owned by this user`, { hint: `Remove ${file}` });
  }
  if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return { close: () => closeSync(fd) };
  const e = errno();
  closeSync(fd);
  if (e === EWOULDBLOCK) return undefined;
  throw new KernelError(`lock ${file}`, e);
}

/** Take the lock, waiting up to `waitMs` for its holder to let go. */
export async function lockFile(file: string, waitMs: number): Promise<HeldLock | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const l = tryLockFile(file);
    if (l) return l;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 10));
  }
}
