import { NetlinkSocket, type NetlinkFailure } from "./socket.js";
import { attr, encodeAttrs, type Attr } from "./nl/attrs.js";
import {
  RTM_SETLINK,
  IFLA_BRPORT_MODE,
  IFLA_PROTINFO,
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IFF_UP,
  IFLA_IFNAME,
  IFLA_IFALIAS,
  IFLA_MASTER,
  IFLA_MTU,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_GETADDR,
  RTM_DELROUTE,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
} from "./nl/constants.js";
import { ifaddrmsg, ifinfomsg, rtmsg } from "./nl/messages.js";
import { bridgeAttrs, decodeLink, macvlanAttrs, vethAttrs, type BridgeSpec, type Link, type MacvlanSpec, type VethSpec } from "./link.js";
import { addrRequest, decodeAddr, type Addr4, type Addr6 } from "./addr.js";
import { decodeRoute, describeRoute, routeRequest, type Route4, type RouteSpec } from "./route.js";
import { describeNetnsFd, withNetns, withNetnsFd } from "./netns.js";
import { KernelError } from "../errors.js";
import { inBackground } from "./background-work.js";

const ENODEV = 19;
const EEXIST = 17;
const ESRCH = 3;
const ENOENT_NEIGH = 2;
const RTM_DELNEIGH = 29;
const NDA_DST = 1;
const AF_INET_FAMILY = 2;
const AF_INET6_FAMILY = 10;

/** How long linkRemoveDetached waits for the kernel to unlist a link, and its pause between looks. */
const UNLIST_WAIT_MS = 5000;
const POLL_PAUSE_MS = 0.2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Block this thread for `ms` (a pool thread goes on meanwhile). */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function fail(op: string, f: NetlinkFailure): KernelError {
  return new KernelError(op, f.errno, f.extack === undefined ? {} : { extack: f.extack });
}

/**
 * rtnetlink on one network namespace: the object API over a NetlinkSocket.
 * Method names mirror iproute2; `add` fails on EEXIST, `replace`
 * overwrites, `remove` succeeds when the object is already gone.
 *
 * @example
 * const h = NetlinkHandle.open("/run/netns/web");
 * try { h.linkSetUp(h.linkByName("eth0")!.index); } finally { h.close(); }
 */
export class NetlinkHandle {
  readonly #sock: NetlinkSocket;
  readonly #where: string;
  /** The namespace the handle was opened in; undefined: the thread's own at the time (the host's, for the engine). */
  readonly #netnsPath: string | undefined;

  private constructor(sock: NetlinkSocket, where: string, netnsPath: string | undefined) {
    this.#sock = sock;
    this.#where = where;
    this.#netnsPath = netnsPath;
  }

  /**
   * A handle on the namespace at `netnsPath` (its socket is opened inside it
   * and the thread switches back before this returns), or on the caller's
   * current namespace. Fails with NETNS_NOT_FOUND when the path is missing.
   */
  static open(netnsPath?: string): NetlinkHandle {
    if (netnsPath === undefined) return new NetlinkHandle(new NetlinkSocket(), "the host namespace", undefined);
    return withNetns(netnsPath, () => new NetlinkHandle(new NetlinkSocket(), `namespace ${netnsPath}`, netnsPath));
  }

  /** Close the socket; the handle is unusable afterwards. */
  close(): void {
    this.#sock.close();
  }

  /** Equivalent to: ip link show */
  linkList(): Link[] {
    return this.#sock.dump(`list links in ${this.#where}`, RTM_GETLINK, ifinfomsg({ family: AF_UNSPEC })).map((m) => decodeLink(m.body));
  }

  /** Equivalent to: ip link show NAME (undefined when missing). */
  linkByName(name: string): Link | undefined {
    return this.#getLink(`look up link "${name}" in ${this.#where}`, 0, [attr.str(IFLA_IFNAME, name)]);
  }

  /** Equivalent to: ip link show IDX (undefined when missing). */
  linkByIndex(index: number): Link | undefined {
    return this.#getLink(`look up link ${index} in ${this.#where}`, index, []);
  }

  #getLink(op: string, index: number, attrs: Attr[]): Link | undefined {
    let found: Link | undefined;
    const f = this.#sock.tryRequestReply(RTM_GETLINK, ifinfomsg({ family: AF_UNSPEC, index }), encodeAttrs(attrs), (body) => {
      found = decodeLink(body);
    });
    if (f && f.errno !== ENODEV) throw fail(op, f);
    return found;
  }

  /**
   * Create a bridge and bring it up; fails with IFNAME_IN_USE if the name is taken.
   * Equivalent to: ip link add NAME [address MAC] [mtu N] type bridge; ip link set NAME up
   */
  bridgeAdd(opts: BridgeSpec): Link {
    const op = `create bridge "${opts.name}" in ${this.#where}`;
    const f = this.#newLink(bridgeAttrs(opts), true);
    if (f?.errno === EEXIST) throw nameInUse(op, `interface "${opts.name}" already exists in ${this.#where}`, f);
    if (f) throw fail(op, f);
    const link = this.linkByName(opts.name);
    if (!link) throw new KernelError(op, ENODEV, { extack: "the bridge vanished right after it was created" });
    return link;
  }

  /**
   * One RTM_NEWLINK that makes a veth pair whose peer is created directly
   * inside the namespace `peerNetnsFd` refers to (the hot path of attaching a
   * container). Fails with IFNAME_IN_USE naming the interface and namespace
   * when either name is taken.
   * Equivalent to: ip link add NAME [mtu N] [master M] [up] type veth peer name PEER netns NS [address MAC]
   */
  vethAdd(opts: VethSpec): void {
    const op = `create veth "${opts.name}" (peer "${opts.peerName}")`;
    const f = this.#newLink(vethAttrs(opts), opts.up ?? false);
    if (f?.errno === EEXIST) throw nameInUse(op, this.#whichVethNameExists(opts), f);
    if (f) throw fail(op, f);
  }

  /** After EEXIST: the host end or the peer, and where. */
  #whichVethNameExists(opts: VethSpec): string {
    if (this.linkByName(opts.name)) return `interface "${opts.name}" already exists in ${this.#where}`;
    const peerNs = describeNetnsFd(opts.peerNetnsFd);
    try {
      const peerTaken = withNetnsFd(opts.peerNetnsFd, peerNs, () => {
        const h = new NetlinkHandle(new NetlinkSocket(), peerNs, undefined);
        try {
          return h.linkByName(opts.peerName) !== undefined;
        } finally {
          h.close();
        }
      });
      if (peerTaken) return `interface "${opts.peerName}" already exists in the peer's namespace ${peerNs}`;
    } catch {
      // fall through to the message that names both
    }
    return `interface "${opts.name}" in ${this.#where} or "${opts.peerName}" in the peer's namespace ${peerNs} already exists`;
  }

  /**
   * Create a macvlan link on a parent interface, optionally directly inside
   * another namespace; fails with IFNAME_IN_USE when the name is taken there.
   * Equivalent to: ip link add link PARENT name NAME [netns NS] [address MAC] type macvlan mode MODE
   */
  macvlanAdd(opts: MacvlanSpec): void {
    const where = opts.netnsFd === undefined ? this.#where : `the namespace ${describeNetnsFd(opts.netnsFd)}`;
    const op = `create macvlan "${opts.name}" on link ${opts.parentIndex} in ${where}`;
    const f = this.#newLink(macvlanAttrs(opts), opts.netnsFd === undefined);
    if (f?.errno === EEXIST) throw nameInUse(op, `interface "${opts.name}" already exists in ${where}`, f);
    if (f) throw fail(op, f);
  }

  #newLink(attrs: Attr[], up: boolean): NetlinkFailure | undefined {
    const fixed = ifinfomsg({ family: AF_UNSPEC, ...(up ? { flags: IFF_UP, change: IFF_UP } : {}) });
    return this.#sock.tryRequest(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, fixed, encodeAttrs(attrs));
  }

  /** Equivalent to: ip link set dev IDX up */
  linkSetUp(index: number): void {
    this.#setLink(`set link ${index} up in ${this.#where}`, ifinfomsg({ index, flags: IFF_UP, change: IFF_UP }), []);
  }

  /** Equivalent to: ip link set dev IDX down */
  linkSetDown(index: number): void {
    this.#setLink(`set link ${index} down in ${this.#where}`, ifinfomsg({ index, flags: 0, change: IFF_UP }), []);
  }

  /** Equivalent to: ip link set dev IDX master M (M = 0: nomaster) */
  linkSetMaster(index: number, masterIndex: number): void {
    this.#setLink(`set master of link ${index} to ${masterIndex} in ${this.#where}`, ifinfomsg({ index }), [attr.u32(IFLA_MASTER, masterIndex)]);
  }

  /** Equivalent to: ip link set dev IDX mtu N */
  linkSetMtu(index: number, mtu: number): void {
    this.#setLink(`set mtu of link ${index} to ${mtu} in ${this.#where}`, ifinfomsg({ index }), [attr.u32(IFLA_MTU, mtu)]);
  }

  /**
   * Set the interface's alias (IFLA_IFALIAS, at most 255 bytes). The kernel
   * ignores an alias in the request that creates a link, so it is set here.
   * Equivalent to: ip link set dev IDX alias TEXT
   */
  linkSetAlias(index: number, alias: string): void {
    this.#setLink(`set alias of link ${index} to "${alias}" in ${this.#where}`, ifinfomsg({ index }), [attr.str(IFLA_IFALIAS, alias)]);
  }

  /** Equivalent to: ip link set dev IDX name NAME (the link must be down). */
  linkSetName(index: number, name: string): void {
    const op = `rename link ${index} to "${name}" in ${this.#where}`;
    const f = this.#sock.tryRequest(RTM_NEWLINK, 0, ifinfomsg({ index }), encodeAttrs([attr.str(IFLA_IFNAME, name)]));
    if (f?.errno === EEXIST) throw nameInUse(op, `interface "${name}" already exists in ${this.#where}`, f);
    if (f) throw fail(op, f);
  }

  #setLink(op: string, fixed: Buffer, attrs: Attr[]): void {
    this.#sock.request(op, RTM_NEWLINK, 0, fixed, encodeAttrs(attrs));
  }

  /** Equivalent to: ip link del dev IDX (fails if missing). Deleting a veth end deletes its peer too. */
  linkDel(index: number): void {
    this.#sock.request(`delete link ${index} in ${this.#where}`, RTM_DELLINK, 0, ifinfomsg({ index }), Buffer.alloc(0));
  }

  /**
   * Let a bridge port send frames back out where they came in, so a
   * container can reach its own published port through a host address.
   * Equivalent to: bridge link set dev IDX hairpin on
   */
  bridgePortSetHairpin(index: number, on: boolean): void {
    const mode: Attr = { type: IFLA_BRPORT_MODE, data: Buffer.from([on ? 1 : 0]) };
    this.#sock.request(
      `set hairpin mode on bridge port ${index} in ${this.#where}`,
      RTM_SETLINK,
      0,
      ifinfomsg({ family: AF_BRIDGE, index }),
      encodeAttrs([attr.nested(IFLA_PROTINFO, [mode])]),
    );
  }

  /** Equivalent to: ip link del NAME, succeeding when it is already gone. Returns whether it deleted something. */
  linkRemove(name: string): boolean {
    const f = this.#sock.tryRequest(RTM_DELLINK, 0, ifinfomsg({}), encodeAttrs([attr.str(IFLA_IFNAME, name)]));
    if (!f) return true;
    if (f.errno === ENODEV) return false;
    throw fail(`delete link "${name}" in ${this.#where}`, f);
  }

  /**
   * `ip link del NAME` without waiting for the kernel's slow part. The
   * deletion goes to libuv's thread pool, on a netlink socket of its own,
   * and this returns as soon as the kernel has unlisted the link (its
   * routes gone, its name free), which it does early, in its RTNL section;
   * the rest (an RCU grace period, the device's last references, ~15-20 ms)
   * needs no caller. False when there is no such link. A deletion that
   * fails is logged to stderr; `backgroundSettled()` (background-work.ts)
   * waits for every deletion still going, and a process that ends on its
   * own waits for them anyway.
   */
  linkRemoveDetached(name: string): boolean {
    const link = this.linkByName(name);
    if (!link) return false;
    const sock = this.#netnsPath === undefined ? new NetlinkSocket() : withNetns(this.#netnsPath, () => new NetlinkSocket());
    const op = `delete link "${name}" in ${this.#where}`;
    void inBackground(
      sock
        .tryRequestInPool(RTM_DELLINK, 0, ifinfomsg({ index: link.index }), Buffer.alloc(0))
        .then((f) => {
          if (f && f.errno !== ENODEV) throw fail(op, f);
        })
        .catch((e: unknown) => process.stderr.write(`${new Date().toISOString()} berth[${process.pid}]: ${e instanceof Error ? e.message : String(e)}\n`))
        .finally(() => sock.close()),
    );
    // the pool thread has the kernel unlist it: wait for that (a few ms at most), not for the rest
    const deadline = Date.now() + UNLIST_WAIT_MS;
    while (this.linkByIndex(link.index) !== undefined) {
      if (Date.now() > deadline)
        throw new KernelError(op, 62, {
          extack: `the link was still there after ${UNLIST_WAIT_MS} ms`,
          hint: `The deletion goes on in the kernel (something may hold the device, such as a capture on it). Once \`ip link show ${name}\` in ${this.#where} no longer lists it, run the teardown again, or \`berth system reconcile\``,
        });
      pause(POLL_PAUSE_MS);
    }
    return true;
  }

  /** Equivalent to: ip addr add IP/PREFIX dev IDX (fails with EEXIST if present). */
  addrAdd(index: number, ip: string, prefix: number): void {
    const { fixed, attrs } = addrRequest(index, ip, prefix);
    this.#sock.request(`add address ${ip}/${prefix} to link ${index} in ${this.#where}`, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, fixed, attrs);
  }

  /** Equivalent to: ip addr replace IP/PREFIX dev IDX */
  addrReplace(index: number, ip: string, prefix: number): void {
    const { fixed, attrs } = addrRequest(index, ip, prefix);
    this.#sock.request(`replace address ${ip}/${prefix} on link ${index} in ${this.#where}`, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, fixed, attrs);
  }

  /** Equivalent to: ip addr del IP/PREFIX dev IDX (fails if missing). */
  addrDel(index: number, ip: string, prefix: number): void {
    const { fixed, attrs } = addrRequest(index, ip, prefix);
    this.#sock.request(`delete address ${ip}/${prefix} from link ${index} in ${this.#where}`, RTM_DELADDR, 0, fixed, attrs);
  }

  /**
   * Forget the neighbour entry (ARP or NDP) for `ip` on link `index`, so the
   * next packet asks for its MAC again. Equivalent to: ip neigh del IP dev IDX
   * @returns false when there was no entry
   */
  neighDelete(index: number, ip: string): boolean {
    const v6 = ip.includes(":");
    // struct ndmsg: family, pad, pad, ifindex, state, flags, type
    const fixed = Buffer.alloc(12);
    fixed.writeUInt8(v6 ? AF_INET6_FAMILY : AF_INET_FAMILY, 0);
    fixed.writeInt32LE(index, 4);
    const attrs = encodeAttrs([v6 ? attr.ipv6(NDA_DST, ip) : attr.ipv4(NDA_DST, ip)]);
    const f = this.#sock.tryRequest(RTM_DELNEIGH, 0, fixed, attrs);
    if (!f) return true;
    if (f.errno === ENOENT_NEIGH || f.errno === ENODEV) return false;
    throw fail(`delete neighbour ${ip} on link ${index} in ${this.#where}`, f);
  }

  /** Equivalent to: ip -4 addr show [dev IDX] */
  addrList(index?: number): Addr4[] {
    return this.#addrList(AF_INET, index);
  }

  /** Equivalent to: ip -6 addr show [dev IDX] (link-local addresses included). */
  addrList6(index?: number): Addr6[] {
    return this.#addrList(AF_INET6, index);
  }

  #addrList(family: number, index: number | undefined): Addr4[] {
    const out: Addr4[] = [];
    for (const m of this.#sock.dump(`list addresses in ${this.#where}`, RTM_GETADDR, ifaddrmsg({ family }))) {
      const a = decodeAddr(m.body, family);
      if (a && (index === undefined || a.ifindex === index)) out.push(a);
    }
    return out;
  }

  /** Equivalent to: ip route add [DST|default] [via GW] [dev IDX] [src SRC] (fails with EEXIST if present). */
  routeAdd(r: RouteSpec): void {
    const { fixed, attrs } = routeRequest(r);
    this.#sock.request(`add route ${describeRoute(r)} in ${this.#where}`, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, fixed, attrs);
  }

  /** Equivalent to: ip route prepend [DST|default] [via GW] [dev IDX] [metric N]: beside (before) routes of the same destination and metric. */
  routePrepend(r: RouteSpec): void {
    const { fixed, attrs } = routeRequest(r);
    this.#sock.request(`add route ${describeRoute(r)} in ${this.#where}`, RTM_NEWROUTE, NLM_F_CREATE, fixed, attrs);
  }

  /** Equivalent to: ip route replace [DST|default] [via GW] [dev IDX] [src SRC] */
  routeReplace(r: RouteSpec): void {
    const { fixed, attrs } = routeRequest(r);
    this.#sock.request(`replace route ${describeRoute(r)} in ${this.#where}`, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, fixed, attrs);
  }

  /** Equivalent to: ip route del [DST|default] [via GW] [dev IDX], succeeding when it is already gone (ESRCH). */
  routeRemove(r: RouteSpec): boolean {
    const { fixed, attrs } = routeRequest(r);
    const f = this.#sock.tryRequest(RTM_DELROUTE, 0, fixed, attrs);
    if (!f) return true;
    if (f.errno === ESRCH || f.errno === ENODEV) return false;
    throw fail(`delete route ${describeRoute(r)} in ${this.#where}`, f);
  }

  /** Equivalent to: ip -4 route show table main (unicast routes only). */
  routeList(): Route4[] {
    return this.#routeList(AF_INET);
  }

  /** Equivalent to: ip -6 route show table main (unicast routes only). */
  routeList6(): Route4[] {
    return this.#routeList(AF_INET6);
  }

  #routeList(family: number): Route4[] {
    const out: Route4[] = [];
    for (const m of this.#sock.dump(`list routes in ${this.#where}`, RTM_GETROUTE, rtmsg({ family }))) {
      const r = decodeRoute(m.body, family);
      if (r) out.push(r);
    }
    return out;
  }
}

function nameInUse(op: string, what: string, f: NetlinkFailure): KernelError {
  return new KernelError(op, f.errno, {
    code: "IFNAME_IN_USE",
    extack: f.extack === undefined ? what : `${what} (${f.extack})`,
    hint: "Choose another name, or run `berth system reconcile` to remove leftovers",
  });
}
