// The kernel layer: rtnetlink over a NETLINK_ROUTE socket (no `ip` on the hot
// path), network namespaces and sysctls. The engine imports only from here.
export { NetlinkHandle } from "./handle.js";
export type { Link, BridgeSpec, MacvlanMode, MacvlanSpec, VethSpec } from "./link.js";
export type { Addr4, Addr6 } from "./addr.js";
export type { Route4, RouteSpec } from "./route.js";
export { namespaceOf, netnsCreate, netnsDelete, netnsDirRelease, netnsExists, netnsInode, withNetns, type NamespaceIdentity } from "./netns.js";
export { sysctlRead, sysctlWrite } from "./sysctl.js";
