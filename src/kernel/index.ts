// The kernel layer: rtnetlink over a NETLINK_ROUTE socket (no `ip` on the hot
// path), network namespaces and sysctls. The engine imports only from here.
export { NetlinkHandle } from "./handle.js";
export { backgroundSettled } from "./background-work.js";
export { listenUnixSocket } from "./unix-listener.js";
export type { Link, BridgeSpec, MacvlanMode, MacvlanSpec, VethSpec } from "./link.js";
export { MACVLAN_MODE_NAMES } from "./link.js";
export type { Addr4, Addr6 } from "./addr.js";
export type { Route4, RouteSpec } from "./route.js";
export { namespaceOf, netnsCreate, netnsDelete, netnsDirRelease, netnsExists, netnsInode, withNetns, type NamespaceIdentity } from "./netns.js";
export { sysctlRead, sysctlWrite } from "./sysctl.js";
export { TraceListener, decodeTraceEvent, type TraceEvent, type TraceEventType } from "./nftrace.js";
export type { PacketHeaders } from "./packet-headers.js";
export { conntrackDelete, conntrackGet, type ConntrackEntry, type FlowTuple } from "./conntrack.js";
export { buildProbeSegment, probeSource, sendProbe, type ProbePacket, type ProbeSendResult, type ProbeSourceResult } from "./probe-packet.js";
