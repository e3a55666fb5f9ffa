export { hostsFileFor, resolvConfFor } from "./etc-files.js";
export { Zone, SEARCH_DOMAIN, type DnsZoneSnapshot, type DnsNetwork, type DnsContainer } from "./zone.js";
export { runResolverDaemon, ensureResolverRunning, resolverPid } from "./daemon.js";
