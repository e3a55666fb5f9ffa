import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { join } from "node:path";
import { EWOULDBLOCK, LOCK_EX, LOCK_NB, errno, libc } from "../kernel/libc.js";
import { BerthError, KernelError } from "../errors.js";

/** The lock file of a resolver directory (root-only, like the directory). */
export function singletonLockPath(dir: string): string {
  return join(dir, "resolver.lock");
}

/** A held lock: close() lets it go (so does the process's death). */
export interface SingletonLock {
  close(): void;
}

/**
 * Try once to take the lock on `file` (flock, exclusive). The file is
 * opened without following a symbolic link, and must be a regular file
 * owned by this user: it lives in the resolver's own directory, which only
 * root can write (paths are checked by engine/private-dirs.ts), so nobody
 * else can hold it, unlike a name in the abstract socket namespace, which
 * any local user could bind first.
 */
function tryLock(file: string): SingletonLock | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BerthError("STATE", `Cannot open the resolver's lock file ${file}: ${code === "ELOOP" ? "it is a symbolic link" : (e as Error).message}`, {
      hint: `Remove ${file} (only root may create files in its directory), then run \`berth system reconcile\``,
    });
  }
  const st = fstatSync(fd);
  const uid = process.geteuid?.() ?? 0;
  if (!st.isFile() || st.uid !== uid) {
    closeSync(fd);
    throw new BerthError("STATE", `The resolver's lock file ${file} is not a regular file owned by uid ${uid}`, {
      hint: `Remove ${file}, then run \`berth system reconcile\``,
    });
  }
  if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return { close: () => closeSync(fd) };
  const e = errno();
  closeSync(fd);
  if (e === EWOULDBLOCK) return undefined;
  throw new KernelError(`lock ${file}`, e);
}

/**
 * Become the only resolver daemon of a directory by holding an exclusive
 * flock on its `resolver.lock`: the kernel lets go when the holder dies (no
 * stale lock after a crash). While another daemon holds it (it may be on
 * its way out because the zone just emptied), keep trying for `waitMs`.
 * Returns the lock (close it to let go), or undefined if another daemon
 * kept it.
 */
export async function acquireSingleton(dir: string, waitMs = 3000): Promise<SingletonLock | undefined> {
  const file = singletonLockPath(dir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = tryLock(file);
    if (lock) return lock;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}
