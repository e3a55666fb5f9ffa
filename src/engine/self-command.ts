import { fileURLToPath } from "node:url";

/**
 * This installation's `bin/berth` (the CLI through its bundle), from a
 * module in dist/src/DIR/ or a bundle beside them alike.
 */
export const BERTH_CLI = fileURLToPath(new URL("../../../bin/berth", import.meta.url));

/** This installation's CNI plugin (`berth cni install` links it), found the same way. */
export const BERTH_CNI_PLUGIN = fileURLToPath(new URL("../../../bin/cni/berth", import.meta.url));

/**
 * The resolver daemon's own entry (from engine/ and from the adapters' bundles
 * in interop/ alike). Kept in this module, which sits at dist/src/engine/ as
 * deep as the bundles, so the relative URL resolves from both.
 */
export const RESOLVER_MAIN = fileURLToPath(new URL("../dns/daemon-main.js", import.meta.url));

/**
 * argv that runs this berth installation's CLI, carrying the BERTH_* settings
 * (state location) along. Used for processes that outlive the CLI: conmon's
 * exit command.
 */
export function selfCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const vars = Object.entries(env)
    .filter(([k, v]) => k.startsWith("BERTH_") && k !== "BERTH_TEST_SANDBOX" && v !== undefined)
    .map(([k, v]) => `${k}=${v ?? ""}`);
  return ["/usr/bin/env", ...vars, process.execPath, BERTH_CLI, ...args];
}
