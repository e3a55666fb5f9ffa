import { ensureResolverRunning, waitForZoneLoaded } from "../../dns/index.js";
import type { BerthPaths } from "../../paths.js";
import { RESOLVER_MAIN } from "../self-command.js";

/**
 * DNS publication: the engine writes the zone (`sync/dns-sync.ts`); the
 * resolver daemon serves it. `serve` starts the daemon when it is not
 * running and returns once it serves the zone with this serial.
 */
export interface Resolver {
  serve(serial: number): Promise<void>;
}

/** The resolver daemon (`dns/daemon-main.ts`), one per run directory. */
export function realResolver(paths: BerthPaths): Resolver {
  return {
    async serve(serial) {
      await ensureResolverRunning(paths, [RESOLVER_MAIN, paths.hostResolvConf]);
      await waitForZoneLoaded(paths, serial);
    },
  };
}
