import { existsSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "./context.js";

export interface NamespaceView {
  /** Namespace inode, as `lsns` shows it. */
  readonly inode: number;
  /** Processes whose network namespace this is. */
  readonly nprocs: number;
  /** Lowest pid in it (1 for the host's). */
  readonly pid: number | undefined;
  /** Named mount (e.g. /run/netns/berth-1a2b3c4d5e6f), if any. */
  readonly path: string | undefined;
  /** What uses it: "host (PID 1)", container names, or another tool. */
  readonly usedBy: string;
}

/**
 * `berth ns ls`: every network namespace on the host, like `lsns -t net`,
 * with the containers that use each one.
 */
export function listNamespaces(engine: Engine): NamespaceView[] {
  const byInode = new Map<number, { pids: number[]; path: string | undefined }>();
  const entry = (inode: number) => {
    let e = byInode.get(inode);
    if (!e) byInode.set(inode, (e = { pids: [], path: undefined }));
    return e;
  };
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const link = readlinkSync(`/proc/${d}/ns/net`);
      const m = /net:\[([0-9]+)\]/.exec(link);
      if (m?.[1]) entry(Number(m[1])).pids.push(Number(d));
    } catch {
      // the process exited or is not ours to look at
    }
  }
  for (const dir of new Set([engine.paths.netnsDir, "/run/netns"])) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      try {
        const ino = statSync(p).ino;
        if (ino) entry(ino).path = p;
      } catch {
        // not a namespace file
      }
    }
  }
  const containersByNetns = new Map<string, string[]>();
  const hostUsers: string[] = [];
  for (const c of engine.store.containers.list()) {
    if (c.status !== "running" && c.status !== "creating") continue;
    if (c.mode === "host") hostUsers.push(c.name);
    else if (c.netns) containersByNetns.set(c.netns, [...(containersByNetns.get(c.netns) ?? []), c.name]);
  }
  let hostInode: number | undefined;
  try {
    hostInode = statSync("/proc/1/ns/net").ino;
  } catch {
    hostInode = undefined;
  }
  const out: NamespaceView[] = [];
  for (const [inode, e] of byInode) {
    const pids = e.pids.sort((a, b) => a - b);
    const users: string[] = [];
    if (inode === hostInode) users.push("host (PID 1)", ...hostUsers.map((n) => `container ${n} (--network host)`));
    const ctrs = e.path ? containersByNetns.get(e.path) : undefined;
    if (ctrs) users.push(...ctrs.map((n) => `container ${n}`));
    if (users.length === 0) users.push(e.path ? "named namespace" : commOf(pids[0]));
    out.push({ inode, nprocs: pids.length, pid: pids[0], path: e.path, usedBy: users.join(", ") });
  }
  return out.sort((a, b) => (a.inode === hostInode ? -1 : b.inode === hostInode ? 1 : a.inode - b.inode));
}

function commOf(pid: number | undefined): string {
  if (pid === undefined) return "";
  try {
    return `process ${readlinkSync(`/proc/${pid}/exe`).split("/").pop() ?? ""} (pid ${pid})`;
  } catch {
    return `pid ${pid}`;
  }
}
