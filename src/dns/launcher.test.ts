import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { berthPaths } from "../paths.js";
import { ensureResolverRunning, RESOLVER_LINGER_MS, RESOLVER_NODE_FLAGS, resolverLingerMs, resolverPid } from "./launcher.js";
import { dnsDir } from "../paths.js";

// A stand-in daemon: notes that it was spawned, takes a moment to start
// (as a real one does on a busy host), then writes its pid file and lives on.
const FAKE_DAEMON = `
const { appendFileSync, writeFileSync } = require("node:fs");
const dir = process.env.BERTH_RUN_DIR + "/dns";
appendFileSync(dir + "/spawns.log", process.pid + "\\n");
setTimeout(() => writeFileSync(dir + "/resolver.pid", process.pid + "\\n"), 300);
setTimeout(() => process.exit(0), 5000);
`;

function sandbox(): { root: string; paths: ReturnType<typeof berthPaths> } {
  const root = mkdtempSync(join(tmpdir(), "berth-launcher-"));
  const paths = berthPaths({ BERTH_ROOT: root });
  mkdirSync(dnsDir(paths), { recursive: true });
  return { root, paths };
}

function stop(paths: ReturnType<typeof berthPaths>, root: string): void {
  const pid = resolverPid(paths);
  if (pid) process.kill(pid, "SIGKILL");
  rmSync(root, { recursive: true, force: true });
}

test("ensureResolverRunning(): twenty callers at once spawn one daemon, and all return once it listens", async () => {
  const { root, paths } = sandbox();
  try {
    await Promise.all(Array.from({ length: 20 }, () => ensureResolverRunning(paths, ["-e", FAKE_DAEMON])));
    const spawned = readFileSync(join(dnsDir(paths), "spawns.log"), "utf8")
      .trim()
      .split("\n");
    assert.equal(spawned.length, 1, `spawned: ${spawned.join(", ")}`);
    assert.equal(resolverPid(paths), Number(spawned[0]));
    assert.equal(existsSync(join(dnsDir(paths), "resolver.starting")), false, "the start marker is gone");
  } finally {
    stop(paths, root);
  }
});

test("ensureResolverRunning(): a start marker left by a killed spawner does not block the next start", async () => {
  const { root, paths } = sandbox();
  try {
    const marker = join(dnsDir(paths), "resolver.starting");
    writeFileSync(marker, "999999999 999999998\n");
    const old = new Date(Date.now() - 10_000);
    utimesSync(marker, old, old);
    await ensureResolverRunning(paths, ["-e", FAKE_DAEMON]);
    assert.ok(resolverPid(paths), "the daemon runs");
  } finally {
    stop(paths, root);
  }
});

test("ensureResolverRunning(): a daemon that fails to start is reported with its log", async () => {
  const { root, paths } = sandbox();
  try {
    await assert.rejects(
      ensureResolverRunning(paths, ["-e", "console.error('cannot bind 53'); process.exit(3)"]),
      (e: Error & { hint?: string }) => /exited with code 3/.test(e.message) && /cannot bind 53/.test(e.hint ?? ""),
    );
  } finally {
    stop(paths, root);
  }
});

test("ensureResolverRunning(): the daemon runs without the memory reducer and without parallel scavenges", async () => {
  const { root, paths } = sandbox();
  const daemon = `
const { writeFileSync } = require("node:fs");
const dir = process.env.BERTH_RUN_DIR + "/dns";
writeFileSync(dir + "/exec-argv", JSON.stringify(process.execArgv));
writeFileSync(dir + "/resolver.pid", process.pid + "\\n");
setTimeout(() => process.exit(0), 5000);
`;
  try {
    await ensureResolverRunning(paths, ["-e", daemon]);
    const argv = JSON.parse(readFileSync(join(dnsDir(paths), "exec-argv"), "utf8")) as string[];
    for (const flag of RESOLVER_NODE_FLAGS) assert.ok(argv.includes(flag), `daemon's node flags ${JSON.stringify(argv)} lack ${flag}`);
  } finally {
    stop(paths, root);
  }
});

test("the resolver's linger after the last name: BERTH_DNS_LINGER_MS, 0 for none, the default for nonsense", () => {
  assert.equal(resolverLingerMs({}), RESOLVER_LINGER_MS);
  assert.equal(resolverLingerMs({ BERTH_DNS_LINGER_MS: "0" }), 0);
  assert.equal(resolverLingerMs({ BERTH_DNS_LINGER_MS: "1500" }), 1500);
  for (const bad of ["", "-1", "1.5", "soon", "1e12"]) assert.equal(resolverLingerMs({ BERTH_DNS_LINGER_MS: bad }), RESOLVER_LINGER_MS, bad);
});
