import { closeSync, openSync } from "node:fs";
import { NetlinkHandle, namespaceOf, netnsCreate, netnsDelete, netnsExists, sysctlWrite, withNetns, type NamespaceIdentity } from "../../kernel/index.js";

/** rtnetlink on one namespace: what the engine calls on a NetlinkHandle. */
export type Netlink = Pick<NetlinkHandle, keyof NetlinkHandle>;

/**
 * The kernel as the engine uses it: rtnetlink in the host's namespace and in
 * a container's, named namespaces and sysctls. `realKernel()` is the kernel;
 * `engine/testing/fake-kernel.ts` keeps the same objects in memory.
 */
export interface Kernel {
  /** rtnetlink in the host's (the caller's) namespace, opened on first use. */
  readonly host: Netlink;
  /** rtnetlink inside the namespace at `netnsPath`; the caller closes it. Fails with NETNS_NOT_FOUND when it is missing. */
  open(netnsPath: string): Netlink;
  /** Run `fn` with an open file descriptor of the namespace at `netnsPath` (for a link made directly inside it). */
  withNetnsFd<T>(netnsPath: string, fn: (fd: number) => T): T;
  /** Create a named namespace with loopback up (`ip netns add`). */
  netnsCreate(path: string): void;
  /** Remove a named namespace; false when it was already gone (`ip netns del`). */
  netnsDelete(path: string): boolean;
  /** Whether `path` is a mounted network namespace. */
  netnsExists(path: string): boolean;
  /** Which namespace the file at `path` is (device, inode, kind), or undefined. */
  namespaceOf(path: string): NamespaceIdentity | undefined;
  /** Write a sysctl in the host's namespace, or in the namespace at `netnsPath`. */
  sysctlWrite(key: string, value: string, netnsPath?: string): void;
  close(): void;
}

/** The kernel itself: rtnetlink through koffi, bind-mounted namespaces, /proc/sys. */
export function realKernel(): Kernel {
  let host: NetlinkHandle | undefined;
  return {
    get host(): Netlink {
      host ??= NetlinkHandle.open();
      return host;
    },
    open: (netnsPath) => NetlinkHandle.open(netnsPath),
    withNetnsFd<T>(netnsPath: string, fn: (fd: number) => T): T {
      const fd = openSync(netnsPath, "r");
      try {
        return fn(fd);
      } finally {
        closeSync(fd);
      }
    },
    netnsCreate,
    netnsDelete,
    netnsExists,
    namespaceOf,
    sysctlWrite(key, value, netnsPath) {
      if (netnsPath === undefined) sysctlWrite(key, value);
      else withNetns(netnsPath, () => sysctlWrite(key, value));
    },
    close() {
      host?.close();
      host = undefined;
    },
  };
}
