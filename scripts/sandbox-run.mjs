#!/usr/bin/env node
// Runs a command inside the throwaway "host" network namespace that
// scripts/test.mjs made with `unshare --net --mount`: brings loopback up,
// then execs the command. Only the sandbox's own namespace is touched.
import { spawnSync } from "node:child_process";

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: sandbox-run.mjs COMMAND [ARG...]");
  process.exit(2);
}
const lo = spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "inherit" });
if (lo.status !== 0) process.exit(lo.status ?? 1);
const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, BERTH_TEST_SANDBOX: "1" } });
process.exit(r.status ?? 1);
