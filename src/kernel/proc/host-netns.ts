import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** What the namespace listing reads of /proc, as an interface so it can be given other answers in tests. */
export interface ProcView {
  /** Every pid in /proc. */
  pids(): number[];
  /** Inode of the process's network namespace, undefined when it cannot be read (gone, or not permitted). */
  netnsInode(pid: number | "self"): number | undefined;
  /** Whether the pid is a kernel thread (PF_KTHREAD in /proc/PID/stat): those always run in the host's namespace. */
  isKernelThread(pid: number): boolean;
  /** The program's file name, undefined when it cannot be read. */
  exeName(pid: number): string | undefined;
}

const PF_KTHREAD = 0x00200000;

export const liveProc: ProcView = {
  pids: () => {
    const out: number[] = [];
    for (const d of readdirNames("/proc")) if (/^[0-9]+$/.test(d)) out.push(Number(d));
    return out;
  },
  netnsInode: (pid) => {
    try {
      const m = /net:\[([0-9]+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      return m?.[1] ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  },
  isKernelThread: (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // fields after "(comm)": state ppid pgrp session tty_nr tpgid flags
      const flags = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[6]);
      return (flags & PF_KTHREAD) !== 0;
    } catch {
      return false;
    }
  },
  exeName: (pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`).split("/").pop();
    } catch {
      return undefined;
    }
  },
};

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The host's network namespace and how it was found; `inode` undefined when it could not be. */
export interface HostNetns {
  readonly inode: number | undefined;
  /** "PID 1", "kernel threads" or why it is unknown. */
  readonly how: string;
}

/**
 * Find the host's (the initial) network namespace: PID 1's when it can be
 * read, else a kernel thread's (kernel threads never leave the initial
 * namespace). Where neither can be seen (PID 1 hidden, no kernel threads
 * in this PID namespace), it is unknown, and said so.
 */
export function findHostNetns(proc: ProcView, pids: readonly number[] = proc.pids()): HostNetns {
  const init = proc.netnsInode(1);
  if (init !== undefined) return { inode: init, how: "PID 1" };
  for (const pid of pids) {
    if (pid === 1 || !proc.isKernelThread(pid)) continue;
    const ino = proc.netnsInode(pid);
    if (ino !== undefined) return { inode: ino, how: "kernel threads; /proc/1/ns/net cannot be read" };
  }
  return { inode: undefined, how: "/proc/1/ns/net cannot be read and no kernel thread is visible" };
}
