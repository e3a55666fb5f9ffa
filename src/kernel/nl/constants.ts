// rtnetlink constants, spelled as in <linux/netlink.h>, <linux/rtnetlink.h>,
// <linux/if_link.h>, <linux/if_addr.h> and <linux/veth.h>.

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an NLMSG_ERROR: the original request was not echoed back in full. */
export const NLM_F_CAPPED = 0x100;
/** In an NLMSG_ERROR: extended-ACK TLVs follow. */
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;

export const IFF_UP = 0x1;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_LINKINFO = 18;
/** The interface's alias (`ip link set dev X alias TEXT`); the kernel ignores it in a request that creates the link. */
export const IFLA_IFALIAS = 20;
export const IFLA_NET_NS_FD = 28;
export const IFLA_LINK_NETNSID = 37;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const VETH_INFO_PEER = 1;
/** IFLA_INFO_DATA of a bridge: multicast snooping on or off (u8). */
export const IFLA_BR_MCAST_SNOOPING = 23;
/** IFLA_INFO_DATA of a macvlan link: its mode (u32). */
export const IFLA_MACVLAN_MODE = 1;
export const MACVLAN_MODE_PRIVATE = 1;
export const MACVLAN_MODE_VEPA = 2;
export const MACVLAN_MODE_BRIDGE = 4;
export const MACVLAN_MODE_PASSTHRU = 8;
/** Also receives the frames sent by the MAC addresses on its source list (Linux 3.19). */
export const MACVLAN_MODE_SOURCE = 16;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_BROADCAST = 4;
export const IFA_FLAGS = 8;
/** ifa_flags: no duplicate address detection, the address is usable at once (not "tentative"). */
export const IFA_F_NODAD = 0x02;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PREFSRC = 7;
export const RTA_TABLE = 15;
export const RTA_PRIORITY = 6;

export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;

export const NLA_F_NESTED = 0x8000;

/** struct ifinfomsg family AF_BRIDGE: per-port bridge settings, nested. */
export const IFLA_PROTINFO = 12;
/** Inside IFLA_PROTINFO: hairpin mode (u8). */
export const IFLA_BRPORT_MODE = 4;
