import { KernelError } from "../../errors.js";
import type { Addr4, BridgeSpec, MacvlanSpec, NamespaceIdentity, Route4, RouteSpec, VethSpec } from "../../kernel/index.js";
import type { Kernel, Netlink } from "../deps/index.js";
import { FakeKernel, HOST_NS, type FakeNamespace } from "../testing/fake-kernel.js";
import { FaultPlan } from "../testing/fault-plan.js";
import type { ChangePlan } from "./planned-change.js";

const ENOENT = 2;
const EEXIST = 17;
const SELF_NS = "/proc/self/ns/net";

/**
 * The kernel of a dry run: every namespace starts as a copy of the real one
 * (links, addresses, routes, read when the verb first touches it), the
 * verb's changes are made to the copy (so its later reads see them and the
 * kernel's rules, such as unique names, still refuse what they would
 * refuse), and each change is recorded in the plan. The real kernel is
 * only read.
 */
export class RecordingKernel implements Kernel {
  readonly #real: Kernel;
  readonly #plan: ChangePlan;
  readonly #label: (netnsPath: string) => string;
  readonly #copy = new FakeKernel(new FaultPlan());
  /** Namespaces the dry run made (they exist in the copy only). */
  readonly #made = new Set<string>();
  /** Real namespaces the dry run deleted. */
  readonly #deleted = new Set<string>();
  /** Namespaces whose copy has been read from the real kernel (or made by the dry run). */
  readonly #seeded = new Set<string>();
  #host: Netlink | undefined;
  /** The host's real ifindexes and those of their copies. */
  readonly #hostIndex = new Map<number, number>();
  /** For a veth end copied from a real namespace ("path index" of the copy): its real peer's ifindex on the host. */
  readonly #hostPeer = new Map<string, number>();

  /** `label` names a namespace in the plan (the container whose namespace it is). */
  constructor(real: Kernel, plan: ChangePlan, label: (netnsPath: string) => string) {
    this.#real = real;
    this.#plan = plan;
    this.#label = label;
  }

  get host(): Netlink {
    this.#host ??= new RecordingNetlink(this.#copy.host, this.#ns(HOST_NS), this.#plan, this.#label, "");
    return this.#host;
  }

  open(netnsPath: string): Netlink {
    const ns = this.#ns(netnsPath);
    if (ns.path === HOST_NS) return this.host;
    return new RecordingNetlink(this.#copy.open(netnsPath), ns, this.#plan, this.#label, ` inside ${this.#label(netnsPath)}`);
  }

  withNetnsFd<T>(netnsPath: string, fn: (fd: number) => T): T {
    this.#ns(netnsPath);
    return this.#copy.withNetnsFd(netnsPath === SELF_NS ? HOST_NS : netnsPath, fn);
  }

  netnsCreate(path: string): void {
    if (this.netnsExists(path)) throw new KernelError(`create network namespace file ${path}`, EEXIST, { code: "NAME_IN_USE" });
    this.#copy.addNamespace(path);
    this.#seeded.add(path);
    this.#made.add(path);
    this.#deleted.delete(path);
    this.#plan.add("namespace", `create ${path} (loopback up)`);
  }

  netnsDelete(path: string): boolean {
    if (!this.netnsExists(path)) return false;
    const ns = this.#ns(path);
    const host = this.#ns(HOST_NS);
    for (const l of [...ns.links.values()]) {
      const copied = this.#hostIndex.get(this.#hostPeer.get(`${path} ${l.index}`) ?? -1);
      const peer = l.peer && l.peer.ns !== ns ? l.peer.ns.links.get(l.peer.index) : copied === undefined ? undefined : host.links.get(copied);
      if (peer) this.#plan.add("link", `the kernel destroys veth ${peer.name} <-> ${l.name} with the namespace`);
      this.#copy.deleteLink(ns, l);
      if (peer && !l.peer) this.#copy.deleteLink(host, peer);
    }
    this.#copy.namespaces.delete(path);
    this.#seeded.delete(path);
    if (!this.#made.delete(path)) this.#deleted.add(path);
    this.#plan.add("namespace", `delete ${path}`);
    return true;
  }

  netnsExists(path: string): boolean {
    if (this.#made.has(path)) return true;
    if (this.#deleted.has(path)) return false;
    return this.#real.netnsExists(path);
  }

  namespaceOf(path: string): NamespaceIdentity | undefined {
    if (this.#made.has(path)) return this.#copy.namespaceOf(path);
    if (this.#deleted.has(path)) return undefined;
    return this.#real.namespaceOf(path);
  }

  sysctlWrite(key: string, value: string, netnsPath?: string): void {
    if (netnsPath !== undefined) this.#ns(netnsPath);
    this.#plan.add("sysctl", `${key}=${value}${netnsPath === undefined ? "" : ` inside ${this.#label(netnsPath)}`}`);
  }

  close(): void {
    // the copy holds nothing open; the real kernel is its engine's to close
  }

  /** The copy of a namespace, read from the real kernel the first time. */
  #ns(path: string): FakeNamespace {
    const key = path === SELF_NS ? HOST_NS : path;
    const have = this.#copy.namespaces.get(key);
    if (have && this.#seeded.has(key)) return have;
    if (key === HOST_NS) return this.#seed(HOST_NS, this.#real.host);
    if (this.#deleted.has(key)) throw new KernelError(`open network namespace ${path}`, ENOENT, { code: "NETNS_NOT_FOUND" });
    const real = this.#real.open(key);
    try {
      return this.#seed(key, real);
    } finally {
      real.close();
    }
  }

  #seed(path: string, real: Netlink): FakeNamespace {
    const ns = this.#copy.namespaces.get(path) ?? this.#copy.addNamespace(path);
    this.#seeded.add(path);
    const index = new Map<number, number>();
    const links = real.linkList();
    for (const l of links) {
      const have = ns.byName(l.name);
      const i = have ? have.index : this.#copy.newLink(ns, { name: l.name, kind: l.kind, up: l.up, mtu: l.mtu, mac: l.mac });
      index.set(l.index, i);
      if (path === HOST_NS) this.#hostIndex.set(l.index, i);
      // a veth end whose peer is in another namespace: taken to be the host (Berth's own containers)
      else if (l.kind === "veth" && l.peerIndex !== undefined && l.peerNetnsId !== undefined) this.#hostPeer.set(`${path} ${i}`, l.peerIndex);
      const made = ns.links.get(i);
      if (made && l.alias !== undefined) made.alias = l.alias;
    }
    for (const l of links) {
      const made = ns.links.get(index.get(l.index) ?? -1);
      if (made && l.masterIndex !== undefined) made.masterIndex = index.get(l.masterIndex);
    }
    for (const a of [...real.addrList(), ...real.addrList6()]) {
      const i = index.get(a.ifindex);
      if (i !== undefined) ns.addrs.push({ ...a, ifindex: i });
    }
    for (const r of [...real.routeList(), ...real.routeList6()]) {
      ns.routes.push({
        dst: r.dst,
        gateway: r.gateway,
        ifindex: r.ifindex === undefined ? undefined : index.get(r.ifindex),
        src: undefined,
        metric: r.metric ?? 0,
      });
    }
    return ns;
  }
}

/** rtnetlink on one namespace's copy: reads answer from the copy, changes are made there and recorded. */
class RecordingNetlink implements Netlink {
  constructor(
    readonly copy: Netlink,
    readonly ns: FakeNamespace,
    readonly plan: ChangePlan,
    readonly label: (netnsPath: string) => string,
    readonly where: string,
  ) {}

  #name(index: number): string {
    return this.ns.links.get(index)?.name ?? `#${index}`;
  }

  #route(r: RouteSpec): string {
    return [
      r.dst ?? "default",
      r.gateway && `via ${r.gateway}`,
      r.ifindex !== undefined && `dev ${this.#name(r.ifindex)}`,
      r.src && `src ${r.src}`,
      r.metric !== undefined && `metric ${r.metric}`,
    ]
      .filter(Boolean)
      .join(" ");
  }

  close(): void {
    this.copy.close();
  }
  linkList() {
    return this.copy.linkList();
  }
  linkByName(name: string) {
    return this.copy.linkByName(name);
  }
  linkByIndex(index: number) {
    return this.copy.linkByIndex(index);
  }
  addrList(index?: number): Addr4[] {
    return this.copy.addrList(index);
  }
  addrList6(index?: number): Addr4[] {
    return this.copy.addrList6(index);
  }
  routeList(): Route4[] {
    return this.copy.routeList();
  }
  routeList6(): Route4[] {
    return this.copy.routeList6();
  }

  bridgeAdd(opts: BridgeSpec) {
    const l = this.copy.bridgeAdd(opts);
    this.plan.add("link", `create bridge ${opts.name}${opts.mtu === undefined ? "" : `, mtu ${opts.mtu}`}${this.where}`);
    return l;
  }

  vethAdd(opts: VethSpec): void {
    this.copy.vethAdd(opts);
    const on = opts.masterIndex === undefined ? "" : ` (on ${this.#name(opts.masterIndex)}${opts.up ? ", up" : ""})`;
    const host = this.ns.byName(opts.name);
    const peer = host?.peer;
    const peerWhere = peer && peer.ns !== this.ns ? (peer.ns.path === HOST_NS ? " on the host" : ` inside ${this.label(peer.ns.path)}`) : "";
    const mac = opts.peerMac === undefined ? "" : ` (MAC ${opts.peerMac})`;
    this.plan.add("link", `create veth ${opts.name}${on}${this.where} with its peer ${opts.peerName}${mac}${peerWhere}`);
  }

  macvlanAdd(opts: MacvlanSpec): void {
    const parent = this.#name(opts.parentIndex);
    this.copy.macvlanAdd(opts);
    this.plan.add("link", `create macvlan ${opts.name} on ${parent} (mode ${opts.mode})${opts.mac === undefined ? "" : ` (MAC ${opts.mac})`}${this.where}`);
  }

  linkSetUp(index: number): void {
    this.copy.linkSetUp(index);
    this.plan.add("link", `set ${this.#name(index)} up${this.where}`);
  }
  linkSetDown(index: number): void {
    this.copy.linkSetDown(index);
    this.plan.add("link", `set ${this.#name(index)} down${this.where}`);
  }
  linkSetMaster(index: number, masterIndex: number): void {
    this.copy.linkSetMaster(index, masterIndex);
    this.plan.add(
      "link",
      masterIndex === 0 ? `take ${this.#name(index)} off its bridge${this.where}` : `put ${this.#name(index)} on ${this.#name(masterIndex)}${this.where}`,
    );
  }
  linkSetMtu(index: number, mtu: number): void {
    this.copy.linkSetMtu(index, mtu);
    this.plan.add("link", `set the mtu of ${this.#name(index)} to ${mtu}${this.where}`);
  }
  linkSetAlias(index: number, alias: string): void {
    this.copy.linkSetAlias(index, alias);
    this.plan.add("link", `set the alias of ${this.#name(index)} to ${JSON.stringify(alias)}${this.where}`);
  }
  linkSetName(index: number, name: string): void {
    const old = this.#name(index);
    this.copy.linkSetName(index, name);
    this.plan.add("link", `rename ${old} to ${name}${this.where}`);
  }
  linkDel(index: number): void {
    const l = this.ns.links.get(index);
    this.copy.linkDel(index);
    this.plan.add("link", `delete ${l?.kind ?? "link"} ${l?.name ?? `#${index}`}${this.where}`);
  }
  linkRemove(name: string): boolean {
    const l = this.ns.byName(name);
    const gone = this.copy.linkRemove(name);
    if (gone) this.plan.add("link", `delete ${l?.kind ?? "link"} ${name}${this.where}`);
    return gone;
  }
  linkRemoveDetached(name: string): boolean {
    return this.linkRemove(name);
  }
  bridgePortSetHairpin(index: number, on: boolean): void {
    this.copy.bridgePortSetHairpin(index, on);
    this.plan.add("link", `hairpin mode ${on ? "on" : "off"} for bridge port ${this.#name(index)}${this.where}`);
  }

  addrAdd(index: number, ip: string, prefix: number): void {
    this.copy.addrAdd(index, ip, prefix);
    this.plan.add("address", `${ip}/${prefix}${ip.includes(":") ? " (nodad)" : ""} on ${this.#name(index)}${this.where}`);
  }
  addrReplace(index: number, ip: string, prefix: number): void {
    this.copy.addrReplace(index, ip, prefix);
    this.plan.add("address", `${ip}/${prefix}${ip.includes(":") ? " (nodad)" : ""} on ${this.#name(index)}${this.where}`);
  }
  addrDel(index: number, ip: string, prefix: number): void {
    this.copy.addrDel(index, ip, prefix);
    this.plan.add("address", `remove ${ip}/${prefix} from ${this.#name(index)}${this.where}`);
  }
  neighDelete(index: number, ip: string): boolean {
    this.plan.add("address", `forget the neighbour entry of ${ip} on ${this.#name(index)}${this.where}`);
    return this.copy.neighDelete(index, ip);
  }

  routeAdd(r: RouteSpec): void {
    this.copy.routeAdd(r);
    this.plan.add("route", `${this.#route(r)}${this.where}`);
  }
  routePrepend(r: RouteSpec): void {
    this.copy.routePrepend(r);
    this.plan.add("route", `${this.#route(r)}${this.where}`);
  }
  routeReplace(r: RouteSpec): void {
    this.copy.routeReplace(r);
    this.plan.add("route", `${this.#route(r)}${this.where} (replacing any)`);
  }
  routeRemove(r: RouteSpec): boolean {
    const text = this.#route(r);
    const gone = this.copy.routeRemove(r);
    if (gone) this.plan.add("route", `delete ${text}${this.where}`);
    return gone;
  }
}
