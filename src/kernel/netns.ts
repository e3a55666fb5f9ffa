import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, MS_REC, MS_SHARED, errno, libc } from "./libc.js";
import { KernelError } from "../errors.js";
import { NetlinkSocket } from "./socket.js";
import { ifinfomsg } from "./nl/messages.js";
import { IFF_UP, RTM_NEWLINK } from "./nl/constants.js";

const EINVAL = 22;
const ENOENT = 2;

function threadNetnsPath(): string {
  return `/proc/self/task/${libc.gettid()}/ns/net`;
}

/**
 * Run `fn` with the calling thread inside the namespace at `path`, and switch
 * back in `finally`. If switching back fails the process exits: continuing in
 * the wrong namespace would change the wrong network.
 */
export function withNetns<T>(path: string, fn: () => T): T {
  let target: number;
  try {
    target = openSync(path, "r");
  } catch (e) {
    throw new KernelError(`open network namespace ${path}`, (e as NodeJS.ErrnoException).code === "ENOENT" ? ENOENT : EINVAL, {
      code: "NETNS_NOT_FOUND",
      hint: "The container's namespace is gone; run `berth system reconcile`",
    });
  }
  const orig = openSync(threadNetnsPath(), "r");
  try {
    if (libc.setns(target, CLONE_NEWNET) !== 0) throw new KernelError(`enter network namespace ${path}`, errno());
    try {
      return fn();
    } finally {
      restore(orig);
    }
  } finally {
    closeSync(target);
    closeSync(orig);
  }
}

function restore(origFd: number): void {
  if (libc.setns(origFd, CLONE_NEWNET) !== 0) {
    process.stderr.write(`berth: fatal: cannot return to the original network namespace (errno ${errno()})\n`);
    process.exit(70);
  }
}

/**
 * Make the directory holding named namespaces a shared mount point, as
 * `ip netns add` does, so the bind mounts are seen from other mount
 * namespaces (containers, `ip netns exec`).
 */
function ensureNetnsDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (libc.mount("none", dir, "none", MS_SHARED | MS_REC, null) === 0) return;
  if (errno() !== EINVAL) return;
  if (libc.mount(dir, dir, "none", MS_BIND | MS_REC, null) !== 0) throw new KernelError(`bind-mount ${dir} onto itself`, errno());
  if (libc.mount("none", dir, "none", MS_SHARED | MS_REC, null) !== 0) throw new KernelError(`make ${dir} a shared mount`, errno());
}

/**
 * Create a named network namespace at `path` with loopback up.
 * Equivalent to: ip netns add NAME; ip -n NAME link set lo up
 */
export function netnsCreate(path: string): void {
  ensureNetnsDir(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o444);
  } catch (e) {
    throw new KernelError(`create network namespace file ${path}`, (e as NodeJS.ErrnoException).code === "EEXIST" ? 17 : EINVAL, {
      code: "IFNAME_IN_USE",
      hint: "A namespace with that name exists already; run `berth system reconcile`",
    });
  }
  closeSync(fd);
  const orig = openSync(threadNetnsPath(), "r");
  let mounted = false;
  try {
    if (libc.unshare(CLONE_NEWNET) !== 0) throw new KernelError("create network namespace", errno());
    try {
      if (libc.mount(threadNetnsPath(), path, "none", MS_BIND, null) !== 0) throw new KernelError(`bind-mount network namespace at ${path}`, errno());
      mounted = true;
      const sock = new NetlinkSocket();
      try {
        sock.request("set lo up", RTM_NEWLINK, 0, ifinfomsg({ index: 1, flags: IFF_UP, change: IFF_UP }), Buffer.alloc(0));
      } finally {
        sock.close();
      }
    } finally {
      restore(orig);
    }
  } catch (e) {
    if (mounted) libc.umount2(path, MNT_DETACH);
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
    throw e;
  } finally {
    closeSync(orig);
  }
}

/** Equivalent to: ip netns del NAME. Succeeds when it is already gone; returns whether it existed. */
export function netnsDelete(path: string): boolean {
  if (!existsSync(path)) return false;
  libc.umount2(path, MNT_DETACH);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new KernelError(`remove network namespace file ${path}`, EINVAL, { cause: e });
  }
  return true;
}

/** Whether `path` is a mounted network namespace (not just a leftover empty file). */
export function netnsExists(path: string): boolean {
  try {
    return netnsInode(path) !== statSync(dirname(path)).ino && readNsLink(path);
  } catch {
    return false;
  }
}

function readNsLink(path: string): boolean {
  // an unmounted placeholder file is empty and regular; a bind-mounted nsfs file reports size 0 too,
  // so check the device: nsfs files live on the nsfs device, not the directory's
  return statSync(path).dev !== statSync(dirname(path)).dev;
}

/** Inode of a namespace file, as `lsns` and /proc/PID/ns/net show it. */
export function netnsInode(path: string): number {
  return statSync(path).ino;
}


/**
 * Undo ensureNetnsDir() for a namespace directory Berth made for itself
 * (tests, BERTH_ROOT): unmount it if it is a mount point. The system
 * /run/netns is left alone, as iproute2 leaves it.
 */
export function netnsDirRelease(dir: string): void {
  if (dir === "/run/netns" || !existsSync(dir)) return;
  if (statSync(dir).dev !== statSync(dirname(dir)).dev || isSelfBindMount(dir)) libc.umount2(dir, MNT_DETACH);
}

function isSelfBindMount(dir: string): boolean {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .some((l) => l.split(" ")[4] === dir);
  } catch {
    return false;
  }
}
