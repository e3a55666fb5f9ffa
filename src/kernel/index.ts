export { NetlinkHandle, type Addr4, type Route4, type RouteSpec } from "./handle.js";
export type { Link } from "./link.js";
export { netnsCreate, netnsDelete, netnsDirRelease, netnsExists, netnsInode, withNetns } from "./netns.js";
export { sysctlRead, sysctlWrite } from "./sysctl.js";
