import { mkdtempSync, rmSync } from "node:fs";
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
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
