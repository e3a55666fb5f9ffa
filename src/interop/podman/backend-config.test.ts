import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backendEnv, parseBackendConfig } from "./backend-config.js";

test("berth.conf beside the backend replaces the environment's BERTH_* paths; without it the environment's are kept", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-conf-"));
  try {
    const program = join(dir, "netavark");
    symlinkSync("/nonexistent/bin/podman/netavark", program);
    const env = { BERTH_ROOT: "/from/env", BERTH_RUN_DIR: "/run/env", PATH: "/bin" };
    assert.deepEqual(backendEnv(program, env), env, "no berth.conf: the caller's environment");
    writeFileSync(join(dir, "berth.conf"), "# where Berth keeps its state for Podman\nBERTH_ROOT = /srv/berth\n\n");
    assert.deepEqual(backendEnv(program, env), { BERTH_ROOT: "/srv/berth", PATH: "/bin" }, "the file wins, and the environment's other paths go");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("berth.conf accepts only BERTH_* path settings with absolute paths, naming the line", () => {
  assert.deepEqual(parseBackendConfig("BERTH_STATE_DIR=/a\nBERTH_NETNS_DIR=/b\n", "f"), { BERTH_STATE_DIR: "/a", BERTH_NETNS_DIR: "/b" });
  assert.throws(() => parseBackendConfig("BERTH_ROOT=relative/dir", "f"), /Invalid BERTH_ROOT in f line 1: "relative\/dir" is not an absolute path/);
  assert.throws(() => parseBackendConfig("\nHOME=/root", "f"), /Unknown setting "HOME" in f line 2/);
});
