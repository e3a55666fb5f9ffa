#!/usr/bin/env node
// Runs a command inside the throwaway "host" network namespace that
// scripts/test.mjs made with `unshare --net --mount`: brings loopback up,
// gives the sandbox a /run/netns of its own (a tmpfs in its mount namespace:
// named namespaces made here are not seen by the machine or by another
// sandbox running at the same time), then execs the command. Only the
// sandbox's own namespaces are touched.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: sandbox-run.mjs COMMAND [ARG...]");
  process.exit(2);
}
const lo = spawnSync("ip", ["link", "set", "lo", "up"], { stdio: "inherit" });
if (lo.status !== 0) process.exit(lo.status ?? 1);
mkdirSync("/run/netns", { recursive: true });
const netns = spawnSync("mount", ["-t", "tmpfs", "-o", "mode=755", "tmpfs", "/run/netns"], { stdio: "inherit" });
if (netns.status !== 0) process.exit(netns.status ?? 1);
const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, BERTH_TEST_SANDBOX: "1" } });
process.exit(r.status ?? 1);
