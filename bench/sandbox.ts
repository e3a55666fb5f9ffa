// Benches touch the kernel, so each one runs inside a throwaway network and
// mount namespace, as `npm test` does (unshare, then scripts/sandbox-run.mjs).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Inside the bench sandbox: returns at once. Outside it: runs the bench
 * (`entry`, its `import.meta.url`) again inside a new one and exits with its
 * status.
 */
export function enterBenchSandbox(entry: string): void {
  if (process.env["BERTH_TEST_SANDBOX"] === "1") return;
  const sandboxRun = fileURLToPath(new URL("../../scripts/sandbox-run.mjs", import.meta.url));
  const argv = ["--net", "--mount", "--pid", "--mount-proc", "--propagation", "private", "--fork", "--kill-child", "--"];
  const r = spawnSync("unshare", [...argv, process.execPath, sandboxRun, process.execPath, fileURLToPath(entry)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
