import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCapability, parseEnvFile, parseRestart, parseSysctls, parseUser, parseVolume, planProcess, shouldRestart } from "./run-process-options.js";
import { parseNetworkMode } from "./run-options.js";
import { parseSignal } from "../commands/container-signal.js";
import { fromConfig, toAnnotations } from "./container-annotations.js";
import { BerthError } from "../../errors.js";
import type { OciConfig } from "../../runtime/index.js";

const invalid = (re: RegExp) => (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT" && re.test(e.message);

test("--restart: no, always, on-failure[:N]; restarts only after a failure, under N, and never after the user stopped it", () => {
  assert.deepEqual(parseRestart("on-failure:3"), { kind: "on-failure", maxRetries: 3 });
  assert.throws(() => parseRestart("sometimes"), invalid(/Invalid --restart "sometimes"/));
  const onFailure2 = parseRestart("on-failure:2");
  assert.equal(shouldRestart(onFailure2, 1, 0, false), true);
  assert.equal(shouldRestart(onFailure2, 1, 2, false), false, "after N restarts");
  assert.equal(shouldRestart(onFailure2, 0, 0, false), false, "a clean exit");
  assert.equal(shouldRestart(parseRestart("always"), 0, 99, false), true);
  assert.equal(shouldRestart(parseRestart("always"), 137, 0, true), false, "berth stop / kill");
  assert.equal(shouldRestart(parseRestart("no"), 1, 0, false), false);
});

test("--env-file: KEY=VALUE lines, comments and blanks skipped, a bare KEY from the caller's environment", () => {
  assert.deepEqual(parseEnvFile("# c\nA=1\n\n  B=two words\r\nHOME\nUNSET\nC=\n", { HOME: "/root" }), ["A=1", "B=two words", "HOME=/root", "C="]);
  assert.throws(() => parseEnvFile("=x"), invalid(/--env-file line/));
});

test("-v HOST:CTR[:ro] needs absolute paths and an existing host path", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-vol-"));
  try {
    assert.deepEqual(parseVolume(`${dir}:/data:ro`), { source: dir, destination: "/data", readOnly: true });
    assert.deepEqual(parseVolume(`${dir}/:/data/`), { source: `${dir}/`, destination: "/data/", readOnly: false });
    assert.throws(() => parseVolume("named:/data"), invalid(/Invalid -v/));
    assert.throws(() => parseVolume(`${dir}/nope:/data`), invalid(/does not exist on the host/));
    assert.throws(() => parseVolume(`${dir}:/data:rx`), invalid(/Invalid -v/));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("--sysctl takes net.* only, and only with a namespace of the container's own", () => {
  assert.deepEqual(parseSysctls(["net.ipv4.ip_forward=1"], true), { "net.ipv4.ip_forward": "1" });
  assert.throws(() => parseSysctls(["kernel.shmmax=1"], true), invalid(/only net\.\* sysctls/));
  assert.throws(() => parseSysctls(["net.ipv4.ip_forward=1"], false), invalid(/needs a network namespace of the container's own/));
  assert.throws(() => planProcess({ sysctls: ["net.core.somaxconn=1"] }, { rootfs: undefined, ownNetns: false }), invalid(/somaxconn/));
});

test("capabilities and users are checked before anything runs", () => {
  assert.equal(parseCapability("net_admin"), "CAP_NET_ADMIN");
  assert.equal(parseCapability("CAP_SYS_ADMIN"), "CAP_SYS_ADMIN");
  assert.throws(() => parseCapability("FLY"), invalid(/Unknown capability "FLY"/));
  const root = mkdtempSync(join(tmpdir(), "berth-rootfs-"));
  try {
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\nweb:x:33:34::/var/www:/bin/sh\n");
    writeFileSync(join(root, "etc", "group"), "root:x:0:\nstaff:x:50:\n");
    assert.deepEqual(parseUser("web", root), { uid: 33, gid: 34 });
    assert.deepEqual(parseUser("web:staff", root), { uid: 33, gid: 50 });
    assert.deepEqual(parseUser("1000:1000", root), { uid: 1000, gid: 1000 });
    assert.throws(() => parseUser("nobody-here", root), invalid(/Unknown user/));
  } finally {
    rmSync(root, { recursive: true });
  }
  assert.throws(() => planProcess({ workdir: "tmp" }, { rootfs: undefined, ownNetns: true }), invalid(/absolute path/));
});

test("kill -s takes signal names and numbers as Podman does", () => {
  assert.equal(parseSignal("KILL"), "SIGKILL");
  assert.equal(parseSignal("sighup"), "SIGHUP");
  assert.equal(parseSignal("15"), "SIGTERM");
  assert.throws(() => parseSignal("NOPE"), invalid(/Invalid signal "NOPE"/));
});

test("--network ns:PATH joins a namespace file by path", () => {
  assert.deepEqual(parseNetworkMode(["ns:/run/netns/x"], {}), { kind: "ns", path: "/run/netns/x" });
  assert.throws(() => parseNetworkMode(["ns:relative"], {}), invalid(/absolute path/));
  assert.throws(() => parseNetworkMode(["ns:/run/netns/x", "n1"], {}), invalid(/cannot be combined/));
});

test("what a stopped container needs to start again survives in its bundle's annotations", () => {
  const ann = toAnnotations({
    ports: [{ proto: "tcp", hostIp: "127.0.0.1", hostPort: 41000, containerPort: 80 }],
    labels: { app: "web" },
    restart: { kind: "on-failure", maxRetries: 2 },
  });
  const back = fromConfig({ annotations: ann } as unknown as OciConfig);
  assert.deepEqual(back, {
    ports: [{ proto: "tcp", hostIp: "127.0.0.1", hostPort: 41000, containerPort: 80 }],
    labels: { app: "web" },
    restart: { kind: "on-failure", maxRetries: 2 },
  });
  assert.deepEqual(fromConfig(undefined), { ports: [], labels: {}, restart: { kind: "no" } });
});
