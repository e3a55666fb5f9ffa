// Entry point for running the resolver daemon directly (tests, benchmarks):
//   node dist/src/dns/daemon-main.js [RESOLV_CONF]
// Berth itself runs it as the hidden `berth dns serve` verb.
import { berthPaths } from "../paths.js";
import { runResolverDaemon } from "./daemon.js";

const resolvConfPath = process.argv[2];
await runResolverDaemon({ paths: berthPaths(), ...(resolvConfPath ? { resolvConfPath } : {}) });
