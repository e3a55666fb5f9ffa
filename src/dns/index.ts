export { hostsFileFor, resolvConfFor } from "./etc-files.js";
export { Zone, SEARCH_DOMAIN, type DnsZoneSnapshot, type DnsNetwork, type DnsContainer } from "./zone.js";
export { ensureResolverRunning, resolverPid, dnsDir } from "./launcher.js";
// the daemon itself (dns-packet, sockets) is loaded only by `berth dns serve`: import "./daemon.js"
