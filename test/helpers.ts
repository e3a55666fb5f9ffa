import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
/** The part of node:test's TestContext these helpers use. */
export interface Skippable {
  skip(message?: string): void;
}

/** True inside the throwaway namespace that `npm test` (scripts/test.mjs) creates. */
export function inSandbox(): boolean {
  return process.env["BERTH_TEST_SANDBOX"] === "1" && process.getuid?.() === 0;
}

/**
 * Integration tests touch the kernel, so they only run as root inside the
 * sandbox. Locally (unprivileged) they skip with the reason; in CI
 * (`CI=true`) a skip would hide a failure, so it fails instead.
 */
export function requireSandbox(t: Skippable): boolean {
  if (inSandbox()) return true;
  if (process.env["CI"] === "true") throw new Error("integration test must run inside the npm test sandbox as root");
  t.skip("needs root inside the `npm test` sandbox (unshare --net --mount)");
  return false;
}

/** A fresh BERTH_ROOT in a temp dir, removed by the returned cleanup. */
export function tempRoot(prefix = "berth-test-"): { root: string; env: NodeJS.ProcessEnv; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    env: { ...process.env, BERTH_ROOT: root },
    cleanup: () => {
      stopService(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * End the Berth service of a test's BERTH_ROOT (started on demand by its
 * first berth command), so no process outlives the test: SIGTERM, then
 * SIGKILL after 5 s.
 */
export function stopService(root: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(root, "run", "service.pid"), "utf8").split(" ")[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return !/^Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "");
    } catch {
      return false;
    }
  };
  try {
    process.kill(pid, "SIGCONT");
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 50 && alive(); i++) spawnSync("sleep", ["0.1"]);
  if (alive()) process.kill(pid, "SIGKILL");
}

/**
 * The argv prefix that runs a command after `script` in a mount namespace
 * of its own with a tmpfs on /run (so `ip netns add` touches neither the
 * sandbox's /run nor the machine's). The command comes after the prefix
 * as "$@" of the script.
 */
export function withPrivateRun(script: string): string[] {
  return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", `mount -t tmpfs tmpfs /run && ${script}`, "sh"];
}
