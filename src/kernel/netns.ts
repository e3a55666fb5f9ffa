import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, statfsSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, MS_REC, MS_SHARED, NS_GET_NSTYPE, errno, libc } from "./libc.js";
import { KernelError } from "../errors.js";
import { NetlinkSocket } from "./socket.js";
import { ifinfomsg } from "./nl/messages.js";
import { IFF_UP, RTM_NEWLINK } from "./nl/constants.js";

const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
/** statfs f_type of a namespace file (a bind-mounted /proc/PID/ns/net). */
const NSFS_MAGIC = 0x6e736673;
const LOOPBACK_IFINDEX = 1;

function threadNetnsPath(): string {
  return `/proc/self/task/${libc.gettid()}/ns/net`;
}

function errnoOf(e: unknown, fallback = EINVAL): number {
  const n = (e as NodeJS.ErrnoException).errno;
  return typeof n === "number" ? Math.abs(n) : fallback;
}

/**
 * Run `fn` synchronously with the calling thread inside the namespace at
 * `path`, switching back in `finally`. Child processes spawned inside `fn`
 * start in that namespace. If switching back fails the process exits:
 * continuing in the wrong namespace would change the wrong network.
 *
 * @example
 * withNetns("/run/netns/web", () => sysctlWrite("net.ipv4.ip_forward", "1"));
 */
export function withNetns<T>(path: string, fn: () => T): T {
  let target: number;
  try {
    target = openSync(path, "r");
  } catch (e) {
    throw new KernelError(`open network namespace ${path}`, errnoOf(e), {
      code: "NETNS_NOT_FOUND",
      hint: "The namespace is gone (its container stopped?); run `berth system reconcile`",
    });
  }
  try {
    return withNetnsFd(target, path, fn);
  } finally {
    closeSync(target);
  }
}

/** withNetns() for a namespace already open as `fd`; `label` names it in errors. */
export function withNetnsFd<T>(fd: number, label: string, fn: () => T): T {
  const orig = openSync(threadNetnsPath(), "r");
  try {
    if (libc.setns(fd, CLONE_NEWNET) !== 0) {
      const e = errno();
      throw new KernelError(`enter network namespace ${label}`, e, e === EINVAL ? { code: "NETNS_NOT_FOUND", extack: "not a network namespace" } : {});
    }
    let result: T;
    try {
      result = fn();
    } finally {
      restore(orig);
    }
    if (result instanceof Promise) {
      throw new KernelError(`run in network namespace ${label}`, EINVAL, {
        code: "INTERNAL",
        extack: "the callback must be synchronous: the namespace was left before it finished",
      });
    }
    return result;
  } finally {
    closeSync(orig);
  }
}

function restore(origFd: number): void {
  if (libc.setns(origFd, CLONE_NEWNET) !== 0) {
    // Not a throw: a caller's catch (an undo stack) would go on changing the wrong namespace.
    process.stderr.write(`berth: fatal: cannot return to the original network namespace (errno ${errno()}); exiting\n`);
    process.exit(70);
  }
}

/** A namespace fd as the kernel names it, e.g. "net:[4026532281]" (for error messages). */
export function describeNetnsFd(fd: number): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return `fd ${fd}`;
  }
}

const sharedDirs = new Set<string>();

/**
 * Make the directory holding named namespaces a shared mount point, as
 * `ip netns add` does (bind it onto itself first if it is no mount point),
 * so the bind mounts are seen from other mount namespaces.
 */
function ensureNetnsDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (sharedDirs.has(dir)) return;
  if (libc.mount("none", dir, "none", MS_SHARED | MS_REC, null) !== 0) {
    const e = errno();
    if (e !== EINVAL) throw new KernelError(`make ${dir} a shared mount`, e);
    if (libc.mount(dir, dir, "none", MS_BIND | MS_REC, null) !== 0) throw new KernelError(`bind-mount ${dir} onto itself`, errno());
    if (libc.mount("none", dir, "none", MS_SHARED | MS_REC, null) !== 0) throw new KernelError(`make ${dir} a shared mount`, errno());
  }
  sharedDirs.add(dir);
}

/**
 * Create a network namespace with loopback up, bind-mounted at `path`. The
 * calling thread is back in its own namespace when this returns.
 * Equivalent to: ip netns add NAME; ip -n NAME link set lo up
 */
export function netnsCreate(path: string): void {
  const abs = resolve(path);
  ensureNetnsDir(dirname(abs));
  try {
    closeSync(openSync(abs, "wx", 0o444));
  } catch (e) {
    const n = errnoOf(e);
    throw new KernelError(
      `create network namespace file ${abs}`,
      n,
      n === EEXIST ? { code: "NAME_IN_USE", hint: "A namespace with that name exists already; delete it or run `berth system reconcile`" } : {},
    );
  }
  const orig = openSync(threadNetnsPath(), "r");
  let mounted = false;
  try {
    if (libc.unshare(CLONE_NEWNET) !== 0) throw new KernelError(`create network namespace ${abs}`, errno());
    try {
      if (libc.mount(threadNetnsPath(), abs, "none", MS_BIND, null) !== 0) throw new KernelError(`bind-mount network namespace at ${abs}`, errno());
      mounted = true;
      const sock = new NetlinkSocket();
      try {
        sock.request(`set lo up in ${abs}`, RTM_NEWLINK, 0, ifinfomsg({ index: LOOPBACK_IFINDEX, flags: IFF_UP, change: IFF_UP }), Buffer.alloc(0));
      } finally {
        sock.close();
      }
    } finally {
      restore(orig);
    }
  } catch (e) {
    if (mounted) libc.umount2(abs, MNT_DETACH);
    try {
      unlinkSync(abs);
    } catch {
      // already gone
    }
    throw e;
  } finally {
    closeSync(orig);
  }
}

/**
 * Unmount and remove a named namespace; the kernel frees it (and its
 * interfaces) once nothing else holds it. Succeeds when it is already gone.
 * Equivalent to: ip netns del NAME
 * @returns whether the file existed
 */
export function netnsDelete(path: string): boolean {
  if (!existsSync(path)) return false;
  libc.umount2(path, MNT_DETACH); // EINVAL when not mounted (a leftover file): fine
  try {
    unlinkSync(path);
  } catch (e) {
    if (errnoOf(e) !== ENOENT) throw new KernelError(`remove network namespace file ${path}`, errnoOf(e));
  }
  return true;
}

/** Whether `path` is a mounted network namespace (not a missing path or a leftover empty file). */
export function netnsExists(path: string): boolean {
  try {
    return statfsSync(path).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/** A namespace file's kind ("net", "mnt", ...) and identity (device and inode of the nsfs file). */
export interface NamespaceIdentity {
  readonly kind: string;
  readonly dev: number;
  readonly ino: number;
}

/** NS_GET_NSTYPE's answers (CLONE_NEW* flags) as /proc/PID/ns names them. */
const NAMESPACE_KINDS: ReadonlyMap<number, string> = new Map([
  [CLONE_NEWNET, "net"],
  [0x00020000, "mnt"],
  [0x04000000, "uts"],
  [0x08000000, "ipc"],
  [0x10000000, "user"],
  [0x20000000, "pid"],
  [0x02000000, "cgroup"],
  [0x00000080, "time"],
]);

/**
 * What namespace the file at `path` is (the NS_GET_NSTYPE ioctl on the open
 * file; a bind-mounted namespace file reads as its path, not `net:[...]`);
 * undefined when it is no namespace file at all (a regular file, a missing path).
 */
export function namespaceOf(path: string): NamespaceIdentity | undefined {
  let fd: number;
  try {
    if (statfsSync(path).type !== NSFS_MAGIC) return undefined;
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const type = libc.ioctl(fd, NS_GET_NSTYPE, 0);
    if (type < 0) return undefined;
    const kind = NAMESPACE_KINDS.get(type) ?? `type ${type}`;
    const st = fstatSync(fd);
    return { kind, dev: st.dev, ino: st.ino };
  } finally {
    closeSync(fd);
  }
}

/** Inode of a namespace file, as `lsns` and `readlink /proc/PID/ns/net` show it. */
export function netnsInode(path: string): number {
  try {
    return statSync(path).ino;
  } catch (e) {
    throw new KernelError(`stat network namespace ${path}`, errnoOf(e), {
      code: "NETNS_NOT_FOUND",
      hint: "The namespace is gone; run `berth system reconcile`",
    });
  }
}

/**
 * Undo ensureNetnsDir() for a namespace directory Berth made for itself
 * (tests, BERTH_ROOT): unmount its self bind mount. The system /run/netns is
 * left alone, as iproute2 leaves it.
 */
export function netnsDirRelease(dir: string): void {
  const abs = resolve(dir);
  sharedDirs.delete(abs);
  if (abs === "/run/netns" || !existsSync(abs)) return;
  if (isMountPoint(abs)) libc.umount2(abs, MNT_DETACH);
}

function isMountPoint(dir: string): boolean {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .some((l) => l.split(" ")[4] === dir);
  } catch {
    return false;
  }
}
