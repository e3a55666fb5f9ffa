import { fileURLToPath } from "node:url";

/**
 * argv that runs this berth installation's CLI, carrying the BERTH_* settings
 * (state location) along. Used for processes that outlive the CLI: conmon's
 * exit command and the DNS resolver daemon.
 */
export function selfCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const vars = Object.entries(env)
    .filter(([k, v]) => k.startsWith("BERTH_") && k !== "BERTH_TEST_SANDBOX" && v !== undefined)
    .map(([k, v]) => `${k}=${v ?? ""}`);
  return ["/usr/bin/env", ...vars, process.execPath, main, ...args];
}
