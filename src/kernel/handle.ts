import { NetlinkSocket } from "./socket.js";
import { attr, decodeAttrs, encodeAttrs, readIpv4, readU32, type Attr } from "./nl/attrs.js";
import {
  AF_BRIDGE, AF_INET, AF_UNSPEC, IFLA_BRPORT_MODE, IFLA_PROTINFO, IFA_ADDRESS, IFA_LOCAL, IFF_UP, IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MASTER, IFLA_MTU,
  IFLA_NET_NS_FD, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_TABLE, RTM_DELADDR, RTM_DELLINK, RTM_GETADDR,
  RTM_GETLINK, RTM_GETROUTE, RTM_NEWADDR, RTM_SETLINK, RTM_NEWLINK, RTM_NEWROUTE, RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, VETH_INFO_PEER,
} from "./nl/constants.js";
import { IFADDRMSG_LEN, RTMSG_LEN, ifaddrmsg, ifinfomsg, rtmsg } from "./nl/messages.js";
import { decodeLink, type Link } from "./link.js";
import { withNetns } from "./netns.js";
import { KernelError } from "../errors.js";
import { macToBytes } from "../model/mac.js";

export interface Addr4 {
  readonly ifindex: number;
  readonly ip: string;
  readonly prefix: number;
}

export interface Route4 {
  /** "10.0.0.0/24"; undefined for the default route. */
  readonly dst: string | undefined;
  readonly gateway: string | undefined;
  readonly ifindex: number | undefined;
  readonly table: number;
}

export interface RouteSpec {
  readonly dst?: string;
  readonly gateway?: string;
  readonly ifindex?: number;
  readonly src?: string;
}

const ENODEV = 19;
const EEXIST = 17;

/**
 * rtnetlink on one network namespace: the object API over a NetlinkSocket.
 * Method names mirror iproute2; `add` fails on EEXIST, `replace`
 * overwrites, `remove` succeeds when the object is already gone.
 */
export class NetlinkHandle {
  readonly #sock: NetlinkSocket;
  readonly #where: string;

  private constructor(sock: NetlinkSocket, where: string) {
    this.#sock = sock;
    this.#where = where;
  }

  /** A handle on the namespace at `netnsPath` (its socket is opened inside it), or on the caller's current one. */
  static open(netnsPath?: string): NetlinkHandle {
    if (netnsPath === undefined) return new NetlinkHandle(new NetlinkSocket(), "the host namespace");
    return withNetns(netnsPath, () => new NetlinkHandle(new NetlinkSocket(), `namespace ${netnsPath}`));
  }

  close(): void {
    this.#sock.close();
  }

  /** Equivalent to: ip link show */
  linkList(): Link[] {
    return this.#sock.dump("list links", RTM_GETLINK, ifinfomsg({ family: AF_UNSPEC })).map((m) => decodeLink(m.body));
  }

  /** Equivalent to: ip link show NAME (undefined when missing). */
  linkByName(name: string): Link | undefined {
    return this.#getLink(`look up link "${name}"`, 0, [attr.str(IFLA_IFNAME, name)]);
  }

  linkByIndex(index: number): Link | undefined {
    return this.#getLink(`look up link ${index}`, index, []);
  }

  #getLink(op: string, index: number, attrs: Attr[]): Link | undefined {
    let found: Link | undefined;
    const sock = this.#sock;
    const fail = sock.tryRequestReply(RTM_GETLINK, ifinfomsg({ family: AF_UNSPEC, index }), encodeAttrs(attrs), (body) => {
      found = decodeLink(body);
    });
    if (fail && fail.errno !== ENODEV) throw new KernelError(op, fail.errno, fail.extack === undefined ? {} : { extack: fail.extack });
    return found;
  }

  /** Equivalent to: ip link add NAME type bridge [mtu N]; ip link set NAME up */
  bridgeAdd(opts: { name: string; mtu?: number; mac?: string }): Link {
    const attrs: Attr[] = [attr.str(IFLA_IFNAME, opts.name), attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "bridge")])];
    if (opts.mtu !== undefined) attrs.push(attr.u32(IFLA_MTU, opts.mtu));
    if (opts.mac !== undefined) attrs.push(attr.bytes(IFLA_ADDRESS, macToBytes(opts.mac)));
    this.#create(`create bridge "${opts.name}"`, opts.name, attrs, true);
    const link = this.linkByName(opts.name);
    if (!link) throw new KernelError(`create bridge "${opts.name}"`, ENODEV);
    return link;
  }

  /**
   * One RTM_NEWLINK that makes a veth pair whose peer is created directly
   * inside the namespace `peerNetnsFd` refers to.
   * Equivalent to: ip link add NAME [master M] [mtu N] type veth peer name PEER netns NS [address MAC]
   */
  vethAdd(opts: { name: string; peerName: string; peerNetnsFd: number; mtu?: number; peerMac?: string; masterIndex?: number; up?: boolean }): void {
    const peerAttrs: Attr[] = [attr.str(IFLA_IFNAME, opts.peerName), attr.u32(IFLA_NET_NS_FD, opts.peerNetnsFd)];
    if (opts.mtu !== undefined) peerAttrs.push(attr.u32(IFLA_MTU, opts.mtu));
    if (opts.peerMac !== undefined) peerAttrs.push(attr.bytes(IFLA_ADDRESS, macToBytes(opts.peerMac)));
    const peer = Buffer.concat([ifinfomsg({ family: AF_UNSPEC }), encodeAttrs(peerAttrs)]);
    const attrs: Attr[] = [
      attr.str(IFLA_IFNAME, opts.name),
      attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "veth"), attr.nested(IFLA_INFO_DATA, [attr.bytes(VETH_INFO_PEER, peer)])]),
    ];
    if (opts.mtu !== undefined) attrs.push(attr.u32(IFLA_MTU, opts.mtu));
    if (opts.masterIndex !== undefined) attrs.push(attr.u32(IFLA_MASTER, opts.masterIndex));
    this.#create(`create veth "${opts.name}" (peer "${opts.peerName}")`, `${opts.name}" in ${this.#where} or "${opts.peerName}" in the container namespace`, attrs, opts.up ?? false);
  }

  #create(op: string, what: string, attrs: Attr[], up: boolean): void {
    const fixed = ifinfomsg({ family: AF_UNSPEC, ...(up ? { flags: IFF_UP, change: IFF_UP } : {}) });
    const f = this.#sock.tryRequest(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, fixed, encodeAttrs(attrs));
    if (!f) return;
    if (f.errno === EEXIST) {
      throw new KernelError(op, f.errno, {
        code: "IFNAME_IN_USE",
        extack: `an interface named "${what.replace(/"$/, "")}" already exists`,
        hint: "Run `berth system reconcile` to remove leftovers, or choose another name",
      });
    }
    throw new KernelError(op, f.errno, f.extack === undefined ? {} : { extack: f.extack });
  }

  /** Equivalent to: ip link set dev IDX up */
  linkSetUp(index: number): void {
    this.#setLink(`set link ${index} up`, ifinfomsg({ index, flags: IFF_UP, change: IFF_UP }), []);
  }

  /** Equivalent to: ip link set dev IDX down */
  linkSetDown(index: number): void {
    this.#setLink(`set link ${index} down`, ifinfomsg({ index, flags: 0, change: IFF_UP }), []);
  }

  /** Equivalent to: ip link set dev IDX master M */
  linkSetMaster(index: number, masterIndex: number): void {
    this.#setLink(`set master of link ${index}`, ifinfomsg({ index }), [attr.u32(IFLA_MASTER, masterIndex)]);
  }

  /** Equivalent to: ip link set dev IDX mtu N */
  linkSetMtu(index: number, mtu: number): void {
    this.#setLink(`set mtu of link ${index}`, ifinfomsg({ index }), [attr.u32(IFLA_MTU, mtu)]);
  }

  /** Equivalent to: ip link set dev IDX name NAME */
  linkSetName(index: number, name: string): void {
    this.#setLink(`rename link ${index} to "${name}"`, ifinfomsg({ index }), [attr.str(IFLA_IFNAME, name)]);
  }

  #setLink(op: string, fixed: Buffer, attrs: Attr[]): void {
    this.#sock.request(op, RTM_NEWLINK, 0, fixed, encodeAttrs(attrs));
  }

  /**
   * Let a bridge port send frames back out where they came in, so a
   * container can reach its own published port through the host address.
   * Equivalent to: bridge link set dev IDX hairpin on
   */
  bridgePortSetHairpin(index: number, on: boolean): void {
    const mode: Attr = { type: IFLA_BRPORT_MODE, data: Buffer.from([on ? 1 : 0]) };
    this.#sock.request(`set hairpin mode on bridge port ${index}`, RTM_SETLINK, 0, ifinfomsg({ family: AF_BRIDGE, index }), encodeAttrs([attr.nested(IFLA_PROTINFO, [mode])]));
  }

  /** Equivalent to: ip link del dev IDX (fails if missing). */
  linkDel(index: number): void {
    this.#sock.request(`delete link ${index}`, RTM_DELLINK, 0, ifinfomsg({ index }), Buffer.alloc(0));
  }

  /** Equivalent to: ip link del NAME, succeeding when it is already gone. Returns whether it deleted something. */
  linkRemove(name: string): boolean {
    const f = this.#sock.tryRequest(RTM_DELLINK, 0, ifinfomsg({}), encodeAttrs([attr.str(IFLA_IFNAME, name)]));
    if (!f) return true;
    if (f.errno === ENODEV) return false;
    throw new KernelError(`delete link "${name}"`, f.errno, f.extack === undefined ? {} : { extack: f.extack });
  }

  /** Equivalent to: ip addr add IP/PREFIX dev IDX (fails if present). */
  addrAdd(index: number, ip: string, prefix: number): void {
    this.#addr(`add address ${ip}/${prefix} to link ${index}`, NLM_F_CREATE | NLM_F_EXCL, index, ip, prefix);
  }

  /** Equivalent to: ip addr replace IP/PREFIX dev IDX */
  addrReplace(index: number, ip: string, prefix: number): void {
    this.#addr(`replace address ${ip}/${prefix} on link ${index}`, NLM_F_CREATE | NLM_F_REPLACE, index, ip, prefix);
  }

  #addr(op: string, flags: number, index: number, ip: string, prefix: number): void {
    const attrs = encodeAttrs([attr.ipv4(IFA_LOCAL, ip), attr.ipv4(IFA_ADDRESS, ip)]);
    this.#sock.request(op, RTM_NEWADDR, flags, ifaddrmsg({ family: AF_INET, prefixlen: prefix, index }), attrs);
  }

  /** Equivalent to: ip addr del IP/PREFIX dev IDX */
  addrDel(index: number, ip: string, prefix: number): void {
    const attrs = encodeAttrs([attr.ipv4(IFA_LOCAL, ip), attr.ipv4(IFA_ADDRESS, ip)]);
    this.#sock.request(`delete address ${ip}/${prefix} from link ${index}`, RTM_DELADDR, 0, ifaddrmsg({ family: AF_INET, prefixlen: prefix, index }), attrs);
  }

  /** Equivalent to: ip -4 addr show [dev IDX] */
  addrList(index?: number): Addr4[] {
    const out: Addr4[] = [];
    for (const m of this.#sock.dump("list addresses", RTM_GETADDR, ifaddrmsg({ family: AF_INET }))) {
      const ifindex = m.body.readUInt32LE(4);
      if (index !== undefined && ifindex !== index) continue;
      const a = decodeAttrs(m.body, IFADDRMSG_LEN);
      const ip = readIpv4(a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS));
      if (ip) out.push({ ifindex, ip, prefix: m.body.readUInt8(1) });
    }
    return out;
  }

  /** Equivalent to: ip route add [DST] [via GW] [dev IDX] (fails if present). */
  routeAdd(r: RouteSpec): void {
    this.#route("add", NLM_F_CREATE | NLM_F_EXCL, r);
  }

  /** Equivalent to: ip route replace [DST] [via GW] [dev IDX] */
  routeReplace(r: RouteSpec): void {
    this.#route("replace", NLM_F_CREATE | NLM_F_REPLACE, r);
  }

  #route(verb: string, flags: number, r: RouteSpec): void {
    const [dstIp, dstLen] = r.dst ? splitCidr(r.dst) : [undefined, 0];
    const attrs: Attr[] = [attr.u32(RTA_TABLE, RT_TABLE_MAIN)];
    if (dstIp) attrs.push(attr.ipv4(RTA_DST, dstIp));
    if (r.gateway) attrs.push(attr.ipv4(RTA_GATEWAY, r.gateway));
    if (r.ifindex !== undefined) attrs.push(attr.u32(RTA_OIF, r.ifindex));
    if (r.src) attrs.push(attr.ipv4(RTA_PREFSRC, r.src));
    const fixed = rtmsg({ family: AF_INET, dstLen, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope: r.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, type: RTN_UNICAST });
    this.#sock.request(`${verb} route ${r.dst ?? "default"}${r.gateway ? ` via ${r.gateway}` : ""}`, RTM_NEWROUTE, flags, fixed, encodeAttrs(attrs));
  }

  /** Equivalent to: ip -4 route show table main */
  routeList(): Route4[] {
    const out: Route4[] = [];
    for (const m of this.#sock.dump("list routes", RTM_GETROUTE, rtmsg({ family: AF_INET }))) {
      const a = decodeAttrs(m.body, RTMSG_LEN);
      const table = readU32(a.get(RTA_TABLE)) ?? m.body.readUInt8(4);
      if (table !== RT_TABLE_MAIN || m.body.readUInt8(7) !== RTN_UNICAST) continue;
      const dstLen = m.body.readUInt8(1);
      const dst = readIpv4(a.get(RTA_DST));
      out.push({ dst: dst === undefined ? undefined : `${dst}/${dstLen}`, gateway: readIpv4(a.get(RTA_GATEWAY)), ifindex: readU32(a.get(RTA_OIF)), table });
    }
    return out;
  }
}

function splitCidr(c: string): [string, number] {
  const [ip, len] = c.split("/");
  return [ip ?? "", Number(len ?? 32)];
}
