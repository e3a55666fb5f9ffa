import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { netnsExists, netnsInode } from "../../kernel/index.js";
import { findHostNetns, liveProc, type ProcView } from "../../kernel/proc/host-netns.js";

export interface NamespaceView {
  /** Namespace inode, as `lsns` shows it (0 for a stale file). */
  readonly inode: number;
  /** Processes whose network namespace this is. */
  readonly nprocs: number;
  /** Lowest pid in it (1 for the host's). */
  readonly pid: number | undefined;
  /** Named mount (e.g. /run/netns/berth-1a2b3c4d5e6f), if any. */
  readonly path: string | undefined;
  /** What uses it: "host (PID 1)", container names, or another tool. */
  readonly usedBy: string;
  /** A file in a namespace directory with no namespace mounted on it (a bind mount gone, or a plain file). */
  readonly stale?: true;
}

/** What listNamespaces() reads besides the store: /proc and the namespace directories. */
export interface NamespaceSources {
  readonly proc: ProcView;
  readonly netnsDirs: readonly string[];
}

/** A namespace as listNamespaces() found it, with who uses it as data (the view says it in words). */
interface Classified {
  readonly view: NamespaceView;
  /** The host's namespace (or this berth's own, when which is the host's is unknown). */
  readonly host: boolean;
  /** Berth containers (running or starting) in it. */
  readonly containers: readonly string[];
}

function defaultSources(engine: Engine): NamespaceSources {
  return { proc: liveProc, netnsDirs: [...new Set([engine.paths.netnsDir, "/run/netns"])] };
}

/**
 * `berth ns ls`: every network namespace on the host, like `lsns -t net`,
 * with the containers that use each one, and stale files in the namespace
 * directories (listed as stale, never as namespaces).
 */
export function listNamespaces(engine: Engine, sources: NamespaceSources = defaultSources(engine)): NamespaceView[] {
  return classifyNamespaces(engine, sources).map((c) => c.view);
}

/**
 * The named namespaces (files in the namespace directories, what `ip netns
 * add` makes) that are neither the host's nor any Berth container's: what
 * other tools made, for `berth topology` to show apart. Stale files are
 * included (marked stale). A file of a container that exited but was not
 * removed yet counts as the container's.
 */
export function otherNamedNamespaces(engine: Engine, sources: NamespaceSources = defaultSources(engine)): NamespaceView[] {
  const berthFiles = new Set(engine.store.containers.list().flatMap((c) => (c.netns ? [c.netns] : [])));
  return classifyNamespaces(engine, sources)
    .filter((c) => c.view.path !== undefined && !c.host && c.containers.length === 0 && !berthFiles.has(c.view.path))
    .map((c) => c.view);
}

function classifyNamespaces(engine: Engine, sources: NamespaceSources): Classified[] {
  const { proc } = sources;
  const byInode = new Map<number, { pids: number[]; path: string | undefined }>();
  const entry = (inode: number) => {
    let e = byInode.get(inode);
    if (!e) byInode.set(inode, (e = { pids: [], path: undefined }));
    return e;
  };
  const pids = proc.pids();
  for (const pid of pids) {
    const ino = proc.netnsInode(pid);
    if (ino !== undefined) entry(ino).pids.push(pid);
  }
  const stale: Classified[] = [];
  for (const dir of sources.netnsDirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (!netnsExists(p)) {
        stale.push({
          view: {
            inode: 0,
            nprocs: 0,
            pid: undefined,
            path: p,
            usedBy: `stale: no namespace is mounted on it (remove it with \`ip netns delete ${f}\` or \`rm ${p}\`)`,
            stale: true,
          },
          host: false,
          containers: [],
        });
        continue;
      }
      try {
        entry(netnsInode(p)).path = p;
      } catch {
        // removed while listing
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
  const host = findHostNetns(proc, pids);
  const self = proc.netnsInode("self");
  const out: Classified[] = [];
  for (const [inode, e] of byInode) {
    const inNs = e.pids.sort((a, b) => a - b);
    const users: string[] = [];
    const isHost = inode === host.inode || (host.inode === undefined && inode === self);
    if (inode === host.inode) users.push(`host (${host.how})`, ...hostUsers.map((n) => `container ${n} (--network host)`));
    else if (host.inode === undefined && inode === self)
      users.push(`this berth's own (host or not is unknown: ${host.how})`, ...hostUsers.map((n) => `container ${n} (--network host)`));
    const ctrs = e.path ? containersByNetns.get(e.path) : undefined;
    if (ctrs) users.push(...ctrs.map((n) => `container ${n}`));
    if (users.length === 0) users.push(e.path ? "named namespace" : describeProcess(proc, inNs));
    out.push({ view: { inode, nprocs: inNs.length, pid: inNs[0], path: e.path, usedBy: users.join(", ") }, host: isHost, containers: ctrs ?? [] });
  }
  out.sort((a, b) => (a.view.inode === host.inode ? -1 : b.view.inode === host.inode ? 1 : a.view.inode - b.view.inode));
  return [...out, ...stale];
}

/** "process nginx (pid 812)", "kernel threads (pid 2)", or "pid N" when the program cannot be read. */
function describeProcess(proc: ProcView, pids: readonly number[]): string {
  const pid = pids[0];
  if (pid === undefined) return "";
  const exe = proc.exeName(pid);
  if (exe !== undefined) return `process ${exe} (pid ${pid})`;
  return proc.isKernelThread(pid) ? `kernel threads (pid ${pid})` : `pid ${pid}`;
}
