import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { KernelError } from "../../errors.js";
import type { Addr4, BridgeSpec, Link, MacvlanSpec, NamespaceIdentity, Route4, RouteSpec, VethSpec } from "../../kernel/index.js";
import type { Kernel, Netlink } from "../deps/index.js";
import type { FaultPlan } from "./fault-plan.js";

const ENOENT = 2;
const ENODEV = 19;
const EEXIST = 17;
const EINVAL = 22;
const ESRCH = 3;
const EADDRNOTAVAIL = 99;
const MAIN_TABLE = 254;
/** The key of the host's (the caller's) namespace in `FakeKernel.namespaces`. */
export const HOST_NS = "host";

interface FakeLink {
  index: number;
  name: string;
  kind: string | undefined;
  mtu: number;
  mac: string;
  up: boolean;
  masterIndex: number | undefined;
  hairpin: boolean;
  alias: string | undefined;
  /** The other end of a veth: its namespace and index. */
  peer: { ns: FakeNamespace; index: number } | undefined;
}

interface FakeRoute {
  dst: string | undefined;
  gateway: string | undefined;
  ifindex: number | undefined;
  src: string | undefined;
  metric: number;
}

/** One network namespace: its links, addresses, routes and sysctls. */
export class FakeNamespace {
  readonly links = new Map<number, FakeLink>();
  readonly addrs: Addr4[] = [];
  readonly routes: FakeRoute[] = [];
  readonly sysctls = new Map<string, string>();
  constructor(readonly path: string) {}

  byName(name: string): FakeLink | undefined {
    for (const l of this.links.values()) if (l.name === name) return l;
    return undefined;
  }
}

/**
 * The kernel in memory, for the engine's unit tests: namespaces with links
 * (bridges, veth pairs whose ends live in two namespaces, macvlans),
 * addresses, routes and sysctls, with the kernel's rules the engine relies
 * on (names unique per namespace, a veth end's deletion takes its peer, a
 * namespace's deletion takes its links and their peers). Every call goes
 * through the FaultPlan, which can fail any one of them.
 */
export class FakeKernel implements Kernel {
  readonly namespaces = new Map<string, FakeNamespace>();
  readonly #fds = new Map<number, FakeNamespace>();
  #nextIndex = 2;
  #nextFd = 100;
  readonly #host: FakeNetlink;

  constructor(readonly faults: FaultPlan) {
    const host = this.#newNamespace(HOST_NS);
    this.#host = new FakeNetlink(this, host, "host");
  }

  get host(): Netlink {
    return this.#host;
  }

  open(netnsPath: string): Netlink {
    this.faults.step("kernel", `open ${netnsPath}`);
    return new FakeNetlink(this, this.#ns(netnsPath), netnsPath);
  }

  withNetnsFd<T>(netnsPath: string, fn: (fd: number) => T): T {
    this.faults.step("kernel", `open namespace file ${netnsPath}`);
    const ns = this.#ns(netnsPath);
    const fd = this.#nextFd++;
    this.#fds.set(fd, ns);
    try {
      return fn(fd);
    } finally {
      this.#fds.delete(fd);
    }
  }

  netnsCreate(path: string): void {
    this.faults.step("kernel", `netnsCreate ${path}`);
    if (this.namespaces.has(path)) throw new KernelError(`create network namespace file ${path}`, EEXIST, { code: "NAME_IN_USE" });
    // the file a real namespace is bind-mounted on, so a scan of the namespace directory finds it
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    this.#newNamespace(path);
  }

  netnsDelete(path: string): boolean {
    this.faults.step("kernel", `netnsDelete ${path}`);
    const ns = this.namespaces.get(path);
    if (!ns || path === HOST_NS) {
      rmSync(path, { force: true });
      return false;
    }
    for (const l of [...ns.links.values()]) this.deleteLink(ns, l);
    this.namespaces.delete(path);
    rmSync(path, { force: true });
    return true;
  }

  netnsExists(path: string): boolean {
    this.faults.step("kernel", `netnsExists ${path}`);
    return path !== HOST_NS && this.namespaces.has(path);
  }

  namespaceOf(path: string): NamespaceIdentity | undefined {
    this.faults.step("kernel", `namespaceOf ${path}`);
    if (path === HOST_NS || !this.namespaces.has(path)) return undefined;
    return { kind: "net", dev: 4, ino: [...this.namespaces.keys()].indexOf(path) + 1000 };
  }

  sysctlWrite(key: string, value: string, netnsPath?: string): void {
    this.faults.step("kernel", `sysctlWrite ${key}=${value}${netnsPath === undefined ? "" : ` in ${netnsPath}`}`);
    this.#ns(netnsPath ?? HOST_NS).sysctls.set(key, value);
  }

  close(): void {
    // nothing to release
  }

  /** A namespace made by something other than the engine (a runtime's sandbox, a test's fixture). */
  addNamespace(path: string): FakeNamespace {
    return this.#newNamespace(path);
  }

  /** What a reboot leaves: the host's namespace with none of Berth's links, addresses or routes, no other namespace. */
  reboot(): void {
    const host = this.namespaces.get(HOST_NS);
    this.namespaces.clear();
    if (!host) return;
    for (const [i, l] of [...host.links]) if (l.kind === "bridge" || l.kind === "veth" || l.kind === "macvlan") host.links.delete(i);
    host.addrs.splice(0, host.addrs.length, ...host.addrs.filter((a) => host.links.has(a.ifindex)));
    host.routes.splice(0, host.routes.length, ...host.routes.filter((r) => r.ifindex === undefined || host.links.has(r.ifindex)));
    this.namespaces.set(HOST_NS, host);
  }

  /** An interface the host has (a parent for macvlan, an uplink). */
  addHostLink(name: string, kind?: string): number {
    return this.newLink(this.namespaces.get(HOST_NS) ?? this.#newNamespace(HOST_NS), { name, kind, up: true });
  }

  namespaceOfFd(fd: number): FakeNamespace {
    const ns = this.#fds.get(fd);
    if (!ns) throw new KernelError(`use namespace fd ${fd}`, EINVAL);
    return ns;
  }

  newLink(ns: FakeNamespace, spec: { name: string; kind: string | undefined; up: boolean; mtu?: number; mac?: string; masterIndex?: number }): number {
    if (ns.byName(spec.name)) throw new KernelError(`create "${spec.name}" in ${ns.path}`, EEXIST, { code: "IFNAME_IN_USE" });
    const index = this.#nextIndex++;
    ns.links.set(index, {
      index,
      name: spec.name,
      kind: spec.kind,
      mtu: spec.mtu ?? 1500,
      mac: spec.mac ?? `02:00:00:00:${(index >> 8).toString(16).padStart(2, "0")}:${(index & 0xff).toString(16).padStart(2, "0")}`,
      up: spec.up,
      masterIndex: spec.masterIndex,
      hairpin: false,
      alias: undefined,
      peer: undefined,
    });
    return index;
  }

  link(ns: FakeNamespace, index: number, op: string): FakeLink {
    const l = ns.links.get(index);
    if (!l) throw new KernelError(`${op} in ${ns.path}`, ENODEV);
    return l;
  }

  /** Delete a link as the kernel does: its addresses, routes and sysctls go, its ports lose their master, a veth's peer goes too. */
  deleteLink(ns: FakeNamespace, l: FakeLink): void {
    if (!ns.links.delete(l.index)) return;
    for (let i = ns.addrs.length - 1; i >= 0; i--) if (ns.addrs[i]?.ifindex === l.index) ns.addrs.splice(i, 1);
    for (let i = ns.routes.length - 1; i >= 0; i--) if (ns.routes[i]?.ifindex === l.index) ns.routes.splice(i, 1);
    for (const k of [...ns.sysctls.keys()]) if (k.split(".")[3] === l.name) ns.sysctls.delete(k);
    for (const port of ns.links.values()) if (port.masterIndex === l.index) port.masterIndex = undefined;
    if (l.peer) {
      const peer = l.peer.ns.links.get(l.peer.index);
      if (peer) this.deleteLink(l.peer.ns, peer);
    }
  }

  /**
   * Everything in the kernel as sorted text, without ifindexes (which a
   * re-made object would change): what a rollback must restore.
   */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [path, ns] of [...this.namespaces].sort(([a], [b]) => a.localeCompare(b))) {
      const name = (i: number | undefined) => (i === undefined ? "-" : (ns.links.get(i)?.name ?? `#${i}`));
      const lines: string[] = [];
      for (const l of ns.links.values()) {
        const peer = l.peer ? `${l.peer.ns.links.get(l.peer.index)?.name ?? "?"}@${l.peer.ns.path}` : "-";
        lines.push(
          `link ${l.name} kind=${l.kind ?? "-"} up=${l.up} master=${name(l.masterIndex)} peer=${peer} mtu=${l.mtu} hairpin=${l.hairpin}${l.alias === undefined ? "" : ` alias=${l.alias}`}`,
        );
      }
      for (const a of ns.addrs) lines.push(`addr ${a.ip}/${a.prefix} dev ${name(a.ifindex)}`);
      for (const r of ns.routes)
        lines.push(`route ${r.dst ?? "default"} via ${r.gateway ?? "-"} dev ${name(r.ifindex)} src ${r.src ?? "-"} metric ${r.metric}`);
      out[path] = lines.sort();
    }
    return out;
  }

  #newNamespace(path: string): FakeNamespace {
    const ns = new FakeNamespace(path);
    this.namespaces.set(path, ns);
    if (path !== HOST_NS) this.newLink(ns, { name: "lo", kind: undefined, up: true });
    return ns;
  }

  #ns(path: string): FakeNamespace {
    // the caller's own namespace is the host's
    const ns = this.namespaces.get(path === "/proc/self/ns/net" ? HOST_NS : path);
    if (!ns) throw new KernelError(`open network namespace ${path}`, ENOENT, { code: "NETNS_NOT_FOUND" });
    return ns;
  }
}

/** rtnetlink on one fake namespace. */
class FakeNetlink implements Netlink {
  constructor(
    readonly kernel: FakeKernel,
    readonly ns: FakeNamespace,
    readonly where: string,
  ) {}

  #step(what: string): void {
    this.kernel.faults.step("kernel", `${what}${this.where === "host" ? "" : ` in ${this.where}`}`);
  }

  #view(l: FakeLink): Link {
    return {
      index: l.index,
      name: l.name,
      kind: l.kind,
      mtu: l.mtu,
      mac: l.mac,
      up: l.up,
      masterIndex: l.masterIndex,
      peerIndex: l.peer?.index,
      peerNetnsId: undefined,
      alias: l.alias,
    };
  }

  close(): void {
    // nothing to release
  }

  linkList(): Link[] {
    this.#step("linkList");
    return [...this.ns.links.values()].map((l) => this.#view(l));
  }

  linkByName(name: string): Link | undefined {
    this.#step(`linkByName ${name}`);
    const l = this.ns.byName(name);
    return l && this.#view(l);
  }

  linkByIndex(index: number): Link | undefined {
    this.#step(`linkByIndex ${index}`);
    const l = this.ns.links.get(index);
    return l && this.#view(l);
  }

  bridgeAdd(opts: BridgeSpec): Link {
    this.#step(`bridgeAdd ${opts.name}`);
    const index = this.kernel.newLink(this.ns, {
      name: opts.name,
      kind: "bridge",
      up: true,
      ...(opts.mtu === undefined ? {} : { mtu: opts.mtu }),
      ...(opts.mac === undefined ? {} : { mac: opts.mac }),
    });
    return this.#view(this.kernel.link(this.ns, index, "bridgeAdd"));
  }

  vethAdd(opts: VethSpec): void {
    this.#step(`vethAdd ${opts.name}`);
    const peerNs = this.kernel.namespaceOfFd(opts.peerNetnsFd);
    if (opts.masterIndex !== undefined && this.ns.links.get(opts.masterIndex)?.kind !== "bridge")
      throw new KernelError(`create veth "${opts.name}": master ${opts.masterIndex} is no bridge`, ENODEV);
    if (this.ns.byName(opts.name) || peerNs.byName(opts.peerName))
      throw new KernelError(`create veth "${opts.name}" (peer "${opts.peerName}")`, EEXIST, { code: "IFNAME_IN_USE" });
    const mtu = opts.mtu === undefined ? {} : { mtu: opts.mtu };
    const host = this.kernel.newLink(this.ns, {
      name: opts.name,
      kind: "veth",
      up: opts.up ?? false,
      ...mtu,
      ...(opts.masterIndex === undefined ? {} : { masterIndex: opts.masterIndex }),
    });
    const peer = this.kernel.newLink(peerNs, {
      name: opts.peerName,
      kind: "veth",
      up: false,
      ...mtu,
      ...(opts.peerMac === undefined ? {} : { mac: opts.peerMac }),
    });
    this.kernel.link(this.ns, host, "vethAdd").peer = { ns: peerNs, index: peer };
    this.kernel.link(peerNs, peer, "vethAdd").peer = { ns: this.ns, index: host };
  }

  macvlanAdd(opts: MacvlanSpec): void {
    this.#step(`macvlanAdd ${opts.name}`);
    this.kernel.link(this.ns, opts.parentIndex, `create macvlan "${opts.name}" on link ${opts.parentIndex}`);
    const target = opts.netnsFd === undefined ? this.ns : this.kernel.namespaceOfFd(opts.netnsFd);
    this.kernel.newLink(target, {
      name: opts.name,
      kind: "macvlan",
      up: opts.netnsFd === undefined,
      ...(opts.mtu === undefined ? {} : { mtu: opts.mtu }),
      ...(opts.mac === undefined ? {} : { mac: opts.mac }),
    });
  }

  linkSetUp(index: number): void {
    this.#step(`linkSetUp ${index}`);
    this.kernel.link(this.ns, index, `set link ${index} up`).up = true;
  }

  linkSetAlias(index: number, alias: string): void {
    this.#step(`linkSetAlias ${index} ${alias}`);
    // the kernel drops the alias when it is set to ""
    this.kernel.link(this.ns, index, `set alias of link ${index}`).alias = alias === "" ? undefined : alias;
  }

  linkSetDown(index: number): void {
    this.#step(`linkSetDown ${index}`);
    this.kernel.link(this.ns, index, `set link ${index} down`).up = false;
  }

  linkSetMaster(index: number, masterIndex: number): void {
    this.#step(`linkSetMaster ${index} ${masterIndex}`);
    const l = this.kernel.link(this.ns, index, `set master of link ${index}`);
    if (masterIndex !== 0) this.kernel.link(this.ns, masterIndex, `set master of link ${index}`);
    l.masterIndex = masterIndex === 0 ? undefined : masterIndex;
  }

  linkSetMtu(index: number, mtu: number): void {
    this.#step(`linkSetMtu ${index} ${mtu}`);
    this.kernel.link(this.ns, index, `set mtu of link ${index}`).mtu = mtu;
  }

  linkSetName(index: number, name: string): void {
    this.#step(`linkSetName ${index} ${name}`);
    const l = this.kernel.link(this.ns, index, `rename link ${index}`);
    if (this.ns.byName(name)) throw new KernelError(`rename link ${index} to "${name}"`, EEXIST, { code: "IFNAME_IN_USE" });
    l.name = name;
  }

  linkDel(index: number): void {
    this.#step(`linkDel ${index}`);
    this.kernel.deleteLink(this.ns, this.kernel.link(this.ns, index, `delete link ${index}`));
  }

  bridgePortSetHairpin(index: number, on: boolean): void {
    this.#step(`bridgePortSetHairpin ${index} ${on}`);
    const l = this.kernel.link(this.ns, index, `set hairpin mode on bridge port ${index}`);
    if (l.masterIndex === undefined) throw new KernelError(`set hairpin mode on bridge port ${index}`, EINVAL);
    l.hairpin = on;
  }

  linkRemove(name: string): boolean {
    this.#step(`linkRemove ${name}`);
    const l = this.ns.byName(name);
    if (!l) return false;
    this.kernel.deleteLink(this.ns, l);
    return true;
  }

  /** As the kernel's, the link is gone when this returns (the fake has no grace period to leave running). */
  linkRemoveDetached(name: string): boolean {
    return this.linkRemove(name);
  }

  addrAdd(index: number, ip: string, prefix: number): void {
    this.#step(`addrAdd ${ip}/${prefix} ${index}`);
    this.kernel.link(this.ns, index, `add address ${ip}/${prefix} to link ${index}`);
    if (this.ns.addrs.some((a) => a.ifindex === index && a.ip === ip)) throw new KernelError(`add address ${ip}/${prefix} to link ${index}`, EEXIST);
    this.ns.addrs.push({ ifindex: index, ip, prefix });
  }

  addrReplace(index: number, ip: string, prefix: number): void {
    this.#step(`addrReplace ${ip}/${prefix} ${index}`);
    this.kernel.link(this.ns, index, `replace address ${ip}/${prefix} on link ${index}`);
    const i = this.ns.addrs.findIndex((a) => a.ifindex === index && a.ip === ip);
    if (i >= 0) this.ns.addrs.splice(i, 1);
    this.ns.addrs.push({ ifindex: index, ip, prefix });
  }

  addrDel(index: number, ip: string, prefix: number): void {
    this.#step(`addrDel ${ip}/${prefix} ${index}`);
    const i = this.ns.addrs.findIndex((a) => a.ifindex === index && a.ip === ip);
    if (i < 0) throw new KernelError(`delete address ${ip}/${prefix} from link ${index}`, EADDRNOTAVAIL);
    this.ns.addrs.splice(i, 1);
  }

  neighDelete(index: number, ip: string): boolean {
    this.#step(`neighDelete ${ip} ${index}`);
    return false;
  }

  addrList(index?: number): Addr4[] {
    this.#step("addrList");
    return this.ns.addrs.filter((a) => !a.ip.includes(":") && (index === undefined || a.ifindex === index)).map((a) => ({ ...a }));
  }

  addrList6(index?: number): Addr4[] {
    this.#step("addrList6");
    return this.ns.addrs.filter((a) => a.ip.includes(":") && (index === undefined || a.ifindex === index)).map((a) => ({ ...a }));
  }

  routeAdd(r: RouteSpec): void {
    this.#step(`routeAdd ${r.dst ?? "default"}`);
    const route = this.#route(r);
    if (this.ns.routes.some((x) => sameRoute(x, route))) throw new KernelError(`add route ${r.dst ?? "default"}`, EEXIST);
    this.ns.routes.push(route);
  }

  routePrepend(r: RouteSpec): void {
    this.#step(`routePrepend ${r.dst ?? "default"}`);
    this.ns.routes.unshift(this.#route(r));
  }

  routeReplace(r: RouteSpec): void {
    this.#step(`routeReplace ${r.dst ?? "default"}`);
    const route = this.#route(r);
    const i = this.ns.routes.findIndex((x) => sameRoute(x, route));
    if (i >= 0) this.ns.routes.splice(i, 1);
    this.ns.routes.push(route);
  }

  routeRemove(r: RouteSpec): boolean {
    this.#step(`routeRemove ${r.dst ?? "default"}`);
    const i = this.ns.routes.findIndex(
      (x) =>
        x.dst === r.dst &&
        familyOf(x) === familyOf({ dst: r.dst, gateway: r.gateway }) &&
        (r.gateway === undefined || x.gateway === r.gateway) &&
        (r.ifindex === undefined || x.ifindex === r.ifindex),
    );
    if (i < 0) return false;
    this.ns.routes.splice(i, 1);
    return true;
  }

  routeList(): Route4[] {
    this.#step("routeList");
    return this.ns.routes.filter((r) => familyOf(r) === 4).map(viewRoute);
  }

  routeList6(): Route4[] {
    this.#step("routeList6");
    return this.ns.routes.filter((r) => familyOf(r) === 6).map(viewRoute);
  }

  #route(r: RouteSpec): FakeRoute {
    if (r.ifindex !== undefined) this.kernel.link(this.ns, r.ifindex, `route ${r.dst ?? "default"}`);
    if (r.dst === undefined && r.gateway === undefined) throw new KernelError("route without destination or gateway", ESRCH);
    return { dst: r.dst, gateway: r.gateway, ifindex: r.ifindex, src: r.src, metric: r.metric ?? 0 };
  }
}

function familyOf(r: { dst: string | undefined; gateway: string | undefined }): 4 | 6 {
  return (r.dst ?? r.gateway ?? "").includes(":") ? 6 : 4;
}

function sameRoute(a: FakeRoute, b: FakeRoute): boolean {
  return a.dst === b.dst && a.metric === b.metric && familyOf(a) === familyOf(b);
}

function viewRoute(r: FakeRoute): Route4 {
  return { dst: r.dst, gateway: r.gateway, ifindex: r.ifindex, table: MAIN_TABLE, ...(r.metric === 0 ? {} : { metric: r.metric }) };
}
