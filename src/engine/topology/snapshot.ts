import { hostname } from "node:os";
import type { Engine } from "../context.js";
import { NetlinkHandle, netnsExists, type Addr4, type Link, type Route4 } from "../../kernel/index.js";
import type { Netlink } from "../deps/index.js";
import type { PortMapping } from "../../firewall/index.js";
import type { Network } from "../../model/network.js";
import type { Attachment, Container } from "../../model/container.js";
import type { StoredPort } from "../../store/index.js";
import { messageOf } from "../../errors.js";
import type { NamespaceView } from "../views/namespaces.js";

/** One network namespace as rtnetlink shows it. */
export interface NamespaceSnapshot {
  readonly links: readonly Link[];
  readonly addrs: readonly Addr4[];
  readonly routes: readonly Route4[];
}

/** What could not be read, in words. */
export interface Unreadable {
  readonly error: string;
}

/** A named namespace that is not Berth's (`ip netns add`, another tool's), as found in a namespace directory. */
export interface OtherNamespace {
  /** The namespace file, /run/netns/NAME. */
  readonly path: string;
  /** How many processes are in it. */
  readonly nprocs: number;
  /** Its links and addresses; Unreadable when it could not be entered, or the file is stale. */
  readonly snapshot: NamespaceSnapshot | Unreadable;
}

/** The live kernel, read once: host, each container namespace, the nft port maps, the named namespaces that are not Berth's. */
export interface KernelSnapshot {
  readonly hostname: string;
  readonly host: NamespaceSnapshot;
  /** By namespace file path; Unreadable when the file is missing or cannot be entered. */
  readonly namespaces: ReadonlyMap<string, NamespaceSnapshot | Unreadable>;
  readonly ports: readonly PortMapping[] | Unreadable;
  /** Named namespaces no Berth container uses (what other tools made), drawn apart. */
  readonly others: readonly OtherNamespace[];
}

/** Berth's store, the rows topology compares the kernel with. */
export interface StoreSnapshot {
  readonly networks: readonly Network[];
  /** Containers that should have a network (exited ones are left out). */
  readonly containers: readonly Container[];
  readonly attachments: readonly Attachment[];
  readonly ports: readonly StoredPort[];
}

export function isUnreadable(v: unknown): v is Unreadable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { error?: unknown }).error === "string";
}

export function readStore(engine: Engine): StoreSnapshot {
  const s = engine.store;
  const containers = s.containers.list().filter((c) => c.status !== "exited");
  const live = new Set(containers.map((c) => c.id));
  return {
    networks: s.networks.list(),
    containers,
    attachments: s.attachments.all().filter((a) => live.has(a.containerId)),
    ports: s.ports.all().filter((p) => live.has(p.containerId)),
  };
}

/**
 * Read the host, the namespaces at `netnsPaths`, the published ports, and
 * the named namespaces in `others` (links and addresses: one netlink dump
 * each, as for a container). Read-only.
 */
export function readKernel(engine: Engine, netnsPaths: Iterable<string>, others: readonly NamespaceView[] = []): KernelSnapshot {
  const namespaces = new Map<string, NamespaceSnapshot | Unreadable>();
  for (const p of new Set(netnsPaths)) namespaces.set(p, readNamespace(p));
  let ports: readonly PortMapping[] | Unreadable;
  try {
    ports = engine.firewall.listPortMappings();
  } catch (e) {
    ports = { error: messageOf(e) };
  }
  const other = others.flatMap((v) =>
    v.path === undefined
      ? []
      : [{ path: v.path, nprocs: v.nprocs, snapshot: v.stale ? { error: "stale file: no namespace is mounted on it" } : readNamespace(v.path) }],
  );
  return { hostname: hostname(), host: readHandle(engine.host), namespaces, ports, others: other };
}

function readNamespace(path: string): NamespaceSnapshot | Unreadable {
  if (!netnsExists(path)) return { error: `namespace file ${path} is missing` };
  let h: NetlinkHandle | undefined;
  try {
    h = NetlinkHandle.open(path);
    return readHandle(h);
  } catch (e) {
    return { error: messageOf(e) };
  } finally {
    h?.close();
  }
}

/** Links, addresses (IPv4, and IPv6 but link-local fe80::/10 and ::1, which every namespace has) and IPv4 routes of one namespace. */
function readHandle(h: Netlink): NamespaceSnapshot {
  const global6 = h.addrList6().filter((a) => a.ip !== "::1" && !/^fe[89ab]/i.test(a.ip));
  return { links: h.linkList(), addrs: [...h.addrList(), ...global6], routes: h.routeList() };
}
