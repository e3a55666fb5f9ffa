import { decodeAttrs, readS32, readStr, readU32 } from "./nl/attrs.js";
import { IFLA_ADDRESS, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MTU, IFF_UP } from "./nl/constants.js";
import { IFINFOMSG_LEN } from "./nl/messages.js";

/** A network interface as rtnetlink reports it. */
export interface Link {
  readonly index: number;
  readonly name: string;
  /** "bridge", "veth", ...; undefined for plain devices such as lo. */
  readonly kind: string | undefined;
  readonly mtu: number;
  readonly mac: string;
  readonly up: boolean;
  readonly masterIndex: number | undefined;
  /** For a veth: the peer's ifindex (in the peer's namespace). */
  readonly peerIndex: number | undefined;
  /** For a veth whose peer is in another namespace: that namespace's id as seen from here. */
  readonly peerNetnsId: number | undefined;
}

/** Decode an RTM_NEWLINK message body. */
export function decodeLink(body: Buffer): Link {
  const index = body.readInt32LE(4);
  const flags = body.readUInt32LE(8);
  const a = decodeAttrs(body, IFINFOMSG_LEN);
  const info = a.get(IFLA_LINKINFO);
  const kind = info ? readStr(decodeAttrs(info).get(IFLA_INFO_KIND)) : undefined;
  const mac = a.get(IFLA_ADDRESS);
  const peer = readU32(a.get(IFLA_LINK));
  return {
    index,
    name: readStr(a.get(IFLA_IFNAME)) ?? "",
    kind,
    mtu: readU32(a.get(IFLA_MTU)) ?? 0,
    mac: mac ? [...mac].map((x) => x.toString(16).padStart(2, "0")).join(":") : "",
    up: (flags & IFF_UP) !== 0,
    masterIndex: readU32(a.get(IFLA_MASTER)),
    peerIndex: peer === undefined || peer === index ? undefined : peer,
    peerNetnsId: readS32(a.get(IFLA_LINK_NETNSID)),
  };
}
