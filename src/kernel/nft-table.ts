// Whether an nftables table exists, asked of the kernel directly over
// nfnetlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_NFTABLES): one
// NFT_MSG_GETTABLE for one table by name. nft(8) would fetch its whole
// cache first (with 1,000 containers, every set element). Constants as in
// <linux/netfilter/nfnetlink.h> and <linux/netfilter/nf_tables.h>.
import { NETLINK_NETFILTER } from "./libc.js";
import { NetlinkSocket } from "./socket.js";
import { attr, encodeAttrs } from "./nl/attrs.js";
import { KernelError } from "../errors.js";

const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_GETTABLE = 1;
const NFTA_TABLE_NAME = 1;
const NFNETLINK_V0 = 0;
const ENOENT = 2;

/** nftables' table families (NFPROTO_*), by nft's names. */
export const NFPROTO = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 } as const;

/**
 * Equivalent to: `nft list table FAMILY NAME >/dev/null` (true when it
 * exists), in the caller's network namespace, without listing anything.
 */
export function nftTableExists(family: keyof typeof NFPROTO, name: string): boolean {
  const sock = new NetlinkSocket(NETLINK_NETFILTER);
  try {
    // struct nfgenmsg { u8 nfgen_family; u8 version; be16 res_id; }
    const nfgenmsg = Buffer.from([NFPROTO[family], NFNETLINK_V0, 0, 0]);
    const f = sock.tryRequestReply((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, nfgenmsg, encodeAttrs([attr.str(NFTA_TABLE_NAME, name)]), undefined);
    if (f === undefined) return true;
    if (f.errno === ENOENT) return false;
    throw new KernelError(`look up nft table ${family} ${name}`, f.errno, f.extack === undefined ? {} : { extack: f.extack });
  } finally {
    sock.close();
  }
}
