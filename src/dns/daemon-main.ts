// The resolver daemon's entry: what Berth spawns (engine/sync/dns-sync.ts), and
// what tests and benchmarks run directly:
//   node dist/src/dns/daemon-main.js [RESOLV_CONF]
// It loads only the resolver's modules, not the CLI's (a few hundred ms less
// on the first container of a DNS network). `berth dns serve` does the same.
import { berthPaths } from "../paths.js";
import { runResolverDaemon } from "./daemon.js";

const resolvConfPath = process.argv[2];
await runResolverDaemon({ paths: berthPaths(), ...(resolvConfPath ? { resolvConfPath } : {}) });
