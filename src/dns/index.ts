// Berth's embedded DNS resolver. Import the daemon itself (dns-packet,
// sockets) only where it runs: `import("./daemon.js")` in `berth dns serve`.
export { hostsFileFor, resolvConfFor } from "./etc-files.js";
export { EMPTY_ZONE, parseZoneSnapshot, type DnsZoneSnapshot, type DnsNetwork, type DnsContainer } from "./zone-snapshot.js";
export { Zone, SEARCH_DOMAIN } from "./zone.js";
export { ensureResolverRunning, resolverPid, resolverPort, loadedZoneSerial, waitForZoneLoaded } from "./launcher.js";
export { dnsDir } from "../paths.js";
export type { ResolverDaemonOptions } from "./daemon.js";
