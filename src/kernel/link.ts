import { attr, decodeAttrs, encodeAttrs, readS32, readStr, readU32, type Attr } from "./nl/attrs.js";
import {
  IFF_UP,
  IFLA_ADDRESS,
  IFLA_IFNAME,
  IFLA_IFALIAS,
  IFLA_BR_MCAST_SNOOPING,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_LINK_NETNSID,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_NET_NS_FD,
  VETH_INFO_PEER,
  IFLA_MACVLAN_MODE,
  MACVLAN_MODE_BRIDGE,
  MACVLAN_MODE_PASSTHRU,
  MACVLAN_MODE_PRIVATE,
  MACVLAN_MODE_VEPA,
  MACVLAN_MODE_SOURCE,
} from "./nl/constants.js";
import { IFINFOMSG_LEN, decodeIfinfomsg, ifinfomsg } from "./nl/messages.js";
import { macFromBytes, macToBytes, parseMac } from "../model/mac.js";

/** A network interface as rtnetlink reports it. */
export interface Link {
  readonly index: number;
  readonly name: string;
  /** "bridge", "veth", ...; undefined for plain devices such as lo. */
  readonly kind: string | undefined;
  readonly mtu: number;
  readonly mac: string;
  /** IFF_UP: administratively up. */
  readonly up: boolean;
  readonly masterIndex: number | undefined;
  /** For a veth: the peer's ifindex (in the peer's namespace). */
  readonly peerIndex: number | undefined;
  /** For a veth whose peer is in another namespace: that namespace's id as seen from here. */
  readonly peerNetnsId: number | undefined;
  /** IFLA_IFALIAS (`ip link set dev X alias TEXT`), undefined when none is set. */
  readonly alias: string | undefined;
}

export interface BridgeSpec {
  readonly name: string;
  readonly mtu?: number;
  readonly mac?: string;
  /** IGMP/MLD snooping; unset leaves the kernel's default (on). */
  readonly multicastSnooping?: boolean;
}

export interface VethSpec {
  readonly name: string;
  readonly peerName: string;
  /** An open fd of the namespace the peer is created in (IFLA_NET_NS_FD inside VETH_INFO_PEER). */
  readonly peerNetnsFd: number;
  readonly mtu?: number;
  readonly peerMac?: string;
  readonly masterIndex?: number;
  readonly up?: boolean;
}

/** Decode an RTM_NEWLINK message body (ifinfomsg + IFLA_* attributes). */
export function decodeLink(body: Buffer): Link {
  const hdr = decodeIfinfomsg(body);
  const a = decodeAttrs(body, IFINFOMSG_LEN);
  const info = a.get(IFLA_LINKINFO);
  const mac = a.get(IFLA_ADDRESS);
  const peer = readS32(a.get(IFLA_LINK));
  return {
    index: hdr.index,
    name: readStr(a.get(IFLA_IFNAME)) ?? "",
    kind: info ? readStr(decodeAttrs(info).get(IFLA_INFO_KIND)) : undefined,
    mtu: readU32(a.get(IFLA_MTU)) ?? 0,
    mac: mac ? macFromBytes(mac) : "",
    up: (hdr.flags & IFF_UP) !== 0,
    masterIndex: readU32(a.get(IFLA_MASTER)) || undefined,
    peerIndex: peer === undefined || peer === 0 || peer === hdr.index ? undefined : peer,
    peerNetnsId: readS32(a.get(IFLA_LINK_NETNSID)),
    alias: readStr(a.get(IFLA_IFALIAS)) || undefined,
  };
}

/** Attributes of RTM_NEWLINK for: ip link add NAME [address MAC] [mtu N] type bridge [mcast_snooping 0|1] */
export function bridgeAttrs(spec: BridgeSpec): Attr[] {
  const data = spec.multicastSnooping === undefined ? [] : [attr.nested(IFLA_INFO_DATA, [attr.u8(IFLA_BR_MCAST_SNOOPING, spec.multicastSnooping ? 1 : 0)])];
  const attrs: Attr[] = [attr.str(IFLA_IFNAME, spec.name), attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "bridge"), ...data])];
  if (spec.mtu !== undefined) attrs.push(attr.u32(IFLA_MTU, spec.mtu));
  if (spec.mac !== undefined) attrs.push(attr.bytes(IFLA_ADDRESS, macToBytes(parseMac(spec.mac))));
  return attrs;
}

/**
 * Attributes of RTM_NEWLINK for:
 * ip link add NAME [mtu N] [master M] type veth peer name PEER netns FD [mtu N] [address MAC]
 *
 * The peer is a whole ifinfomsg + attributes inside
 * IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER, so the kernel creates it
 * directly in the target namespace (no create-then-move).
 */
export function vethAttrs(spec: VethSpec): Attr[] {
  const peerAttrs: Attr[] = [attr.str(IFLA_IFNAME, spec.peerName), attr.u32(IFLA_NET_NS_FD, spec.peerNetnsFd)];
  if (spec.mtu !== undefined) peerAttrs.push(attr.u32(IFLA_MTU, spec.mtu));
  if (spec.peerMac !== undefined) peerAttrs.push(attr.bytes(IFLA_ADDRESS, macToBytes(parseMac(spec.peerMac))));
  const peer = Buffer.concat([ifinfomsg({}), encodeAttrs(peerAttrs)]);
  const attrs: Attr[] = [
    attr.str(IFLA_IFNAME, spec.name),
    attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "veth"), attr.nested(IFLA_INFO_DATA, [attr.bytes(VETH_INFO_PEER, peer)])]),
  ];
  if (spec.mtu !== undefined) attrs.push(attr.u32(IFLA_MTU, spec.mtu));
  if (spec.masterIndex !== undefined) attrs.push(attr.u32(IFLA_MASTER, spec.masterIndex));
  return attrs;
}

export type MacvlanMode = "bridge" | "private" | "vepa" | "passthru" | "source";

/** Every macvlan mode by name, bridge (the default) first. */
export const MACVLAN_MODE_NAMES: readonly MacvlanMode[] = ["bridge", "private", "vepa", "passthru", "source"];

const MACVLAN_MODES: Record<MacvlanMode, number> = {
  private: MACVLAN_MODE_PRIVATE,
  vepa: MACVLAN_MODE_VEPA,
  bridge: MACVLAN_MODE_BRIDGE,
  passthru: MACVLAN_MODE_PASSTHRU,
  source: MACVLAN_MODE_SOURCE,
};

export interface MacvlanSpec {
  readonly name: string;
  /** ifindex of the parent interface (in the namespace the request is sent in). */
  readonly parentIndex: number;
  readonly mode: MacvlanMode;
  /** Create it directly inside this namespace (an open fd), as for a container's interface. */
  readonly netnsFd?: number;
  readonly mac?: string;
  readonly mtu?: number;
}

/**
 * Attributes of RTM_NEWLINK for:
 * ip link add link PARENT name NAME [netns FD] [address MAC] [mtu N] type macvlan mode MODE
 */
export function macvlanAttrs(spec: MacvlanSpec): Attr[] {
  const attrs: Attr[] = [
    attr.str(IFLA_IFNAME, spec.name),
    attr.u32(IFLA_LINK, spec.parentIndex),
    attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "macvlan"), attr.nested(IFLA_INFO_DATA, [attr.u32(IFLA_MACVLAN_MODE, MACVLAN_MODES[spec.mode])])]),
  ];
  if (spec.netnsFd !== undefined) attrs.push(attr.u32(IFLA_NET_NS_FD, spec.netnsFd));
  if (spec.mac !== undefined) attrs.push(attr.bytes(IFLA_ADDRESS, macToBytes(parseMac(spec.mac))));
  if (spec.mtu !== undefined) attrs.push(attr.u32(IFLA_MTU, spec.mtu));
  return attrs;
}
