import { test } from "node:test";
import assert from "node:assert/strict";
import { buildOciConfig, DEFAULT_CAPABILITIES, HOST_ROOT_DIRS, mergeEnv } from "./oci-config.js";
import type { ContainerProcessSpec } from "./container-spec.js";

const ID = "a".repeat(64);
const base: ContainerProcessSpec = {
  id: ID,
  name: "web",
  hostname: "web1",
  args: ["sh", "-c", "echo 'a b' \"$X\""],
  network: { kind: "netns", path: "/run/netns/berth-x" },
  etc: { hosts: "/r/hosts", resolvConf: "/r/resolv.conf", hostname: "/r/hostname" },
};

test("buildOciConfig() passes args unchanged and sets the default environment", () => {
  const c = buildOciConfig(base);
  assert.deepEqual(c.process.args, ["sh", "-c", "echo 'a b' \"$X\""]);
  assert.deepEqual(c.process.env, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "HOSTNAME=web1"]);
  assert.equal(c.process.terminal, false);
  assert.equal(c.process.cwd, "/");
  assert.deepEqual(c.process.user, { uid: 0, gid: 0 });
  assert.equal(c.hostname, "web1");
});

test("buildOciConfig() lets spec.env override a default and keeps its position", () => {
  const c = buildOciConfig({ ...base, env: ["TERM=dumb", "X=1"], tty: true });
  assert.deepEqual(c.process.env, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=dumb", "HOSTNAME=web1", "X=1"]);
  assert.equal(c.process.terminal, true);
});

test("buildOciConfig() joins the netns by path and sets ping_group_range there", () => {
  const c = buildOciConfig(base);
  assert.deepEqual(c.linux.namespaces, [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "network", path: "/run/netns/berth-x" }]);
  assert.deepEqual(c.linux.sysctl, { "net.ipv4.ping_group_range": "0 0" });
});

test("buildOciConfig() in host mode has no network namespace entry and no net.* sysctl", () => {
  const c = buildOciConfig({ ...base, network: { kind: "host" } });
  assert.deepEqual(
    c.linux.namespaces.map((n) => n.type),
    ["pid", "ipc", "uts", "mount"],
  );
  assert.equal(c.linux.sysctl, undefined);
});

test("buildOciConfig() grants Podman's default capabilities, not full root", () => {
  const c = buildOciConfig(base);
  for (const set of ["bounding", "effective", "permitted"] as const) assert.deepEqual(c.process.capabilities[set], DEFAULT_CAPABILITIES);
  assert.equal(DEFAULT_CAPABILITIES.length, 11);
  assert.ok(
    !DEFAULT_CAPABILITIES.includes("CAP_SYS_ADMIN") && !DEFAULT_CAPABILITIES.includes("CAP_NET_ADMIN") && !DEFAULT_CAPABILITIES.includes("CAP_NET_RAW"),
  );
  assert.equal(c.process.noNewPrivileges, true);
});

test("buildOciConfig() with the host root: read-only skeleton root plus read-only rbinds of the host directories", () => {
  const c = buildOciConfig(base, { hostDirs: ["/usr", "/etc"] });
  assert.deepEqual(c.root, { path: "rootfs", readonly: true });
  const binds = c.mounts.filter((m) => m.type === "bind" && m.options.includes("rbind"));
  assert.deepEqual(
    binds.map((m) => [m.source, m.destination]),
    [
      ["/usr", "/usr"],
      ["/etc", "/etc"],
    ],
  );
  for (const m of binds) assert.ok(m.options.includes("ro"));
  assert.ok(HOST_ROOT_DIRS.includes("/usr") && HOST_ROOT_DIRS.includes("/etc") && !HOST_ROOT_DIRS.includes("/root"));
});

test("buildOciConfig() with a rootfs: that directory, writable, and no host binds", () => {
  const c = buildOciConfig({ ...base, rootfs: "/srv/img" });
  assert.deepEqual(c.root, { path: "/srv/img", readonly: false });
  assert.equal(c.mounts.filter((m) => m.options.includes("rbind")).length, 0);
});

test("buildOciConfig() mounts the container's /etc files read-write after the /etc bind", () => {
  const c = buildOciConfig(base, { hostDirs: ["/etc"] });
  const dests = c.mounts.map((m) => m.destination);
  const etc = dests.indexOf("/etc");
  for (const [dest, src] of [
    ["/etc/hosts", "/r/hosts"],
    ["/etc/resolv.conf", "/r/resolv.conf"],
    ["/etc/hostname", "/r/hostname"],
  ] as const) {
    const i = dests.indexOf(dest);
    assert.ok(i > etc, `${dest} after /etc`);
    assert.deepEqual(c.mounts[i], { destination: dest, type: "bind", source: src, options: ["bind", "rw"] });
  }
});

test("buildOciConfig() has /proc, /dev, /dev/pts, /dev/shm, read-only /sys, tmpfs /tmp and /run", () => {
  const byDest = new Map(buildOciConfig(base).mounts.map((m) => [m.destination, m]));
  assert.equal(byDest.get("/proc")?.type, "proc");
  assert.equal(byDest.get("/dev")?.type, "tmpfs");
  assert.equal(byDest.get("/dev/pts")?.type, "devpts");
  assert.equal(byDest.get("/dev/shm")?.type, "tmpfs");
  assert.equal(byDest.get("/sys")?.type, "sysfs");
  assert.ok(byDest.get("/sys")?.options.includes("ro"));
  assert.equal(byDest.get("/tmp")?.type, "tmpfs");
  assert.equal(byDest.get("/run")?.type, "tmpfs");
});

test("mergeEnv() replaces by key, keeps order, and keeps entries without '='", () => {
  assert.deepEqual(mergeEnv(["A=1", "B=2"], ["B=3", "C", "A=x=y"]), ["A=x=y", "B=3", "C"]);
});

test("buildOciConfig() applies -w, -u, -v, capabilities, --privileged, net.* sysctls, --init and annotations", () => {
  const etc = { hosts: "/r/hosts", resolvConf: "/r/resolv.conf", hostname: "/r/hostname" };
  const base = { id: "a".repeat(64), name: "x", hostname: "x", args: ["sh"], network: { kind: "netns" as const, path: "/run/netns/x" }, etc };
  const c = buildOciConfig(
    {
      ...base,
      cwd: "/srv",
      user: { uid: 33, gid: 34 },
      volumes: [{ source: "/data", destination: "/mnt", readOnly: true }],
      capDrop: ["ALL"],
      capAdd: ["CAP_NET_RAW"],
      sysctls: { "net.ipv4.ip_unprivileged_port_start": "80" },
      init: "/usr/bin/catatonit",
      annotations: { "io.berth.labels": "{}" },
    },
    { hostDirs: [] },
  );
  assert.equal(c.process.cwd, "/srv");
  assert.deepEqual(c.process.user, { uid: 33, gid: 34 });
  assert.deepEqual(c.process.capabilities.effective, ["CAP_NET_RAW"]);
  assert.deepEqual(c.process.args, ["/run/berth-init", "--", "sh"]);
  assert.deepEqual(
    c.mounts.find((m) => m.destination === "/mnt"),
    { destination: "/mnt", type: "bind", source: "/data", options: ["rbind", "ro"] },
  );
  assert.equal(c.mounts.find((m) => m.destination === "/run/berth-init")?.source, "/usr/bin/catatonit");
  assert.equal(c.linux.sysctl?.["net.ipv4.ip_unprivileged_port_start"], "80");
  assert.deepEqual(c.annotations, { "io.berth.labels": "{}" });
  const p = buildOciConfig({ ...base, privileged: true }, { hostDirs: [] });
  assert.ok(p.process.capabilities.effective.includes("CAP_SYS_ADMIN"));
  assert.ok(!p.linux.maskedPaths.includes("/proc/kcore"), "--privileged lifts the kernel masks");
  assert.ok(p.linux.maskedPaths.includes("/etc/shadow"), "the host's secrets stay hidden");
  assert.equal(p.process.noNewPrivileges, false);
});

test("buildOciConfig() on the host's root masks password hashes, keys and Berth's own directories, and shows /home only when asked", () => {
  const c = buildOciConfig({ ...base, hiddenHostPaths: ["/var/lib/berth", "/srv/berth-run"] });
  for (const p of ["/etc/shadow", "/etc/gshadow", "/etc/ssh", "/var/lib/berth", "/srv/berth-run", "/proc/kcore"]) assert.ok(c.linux.maskedPaths.includes(p), p);
  assert.equal(c.linux.maskedPaths.filter((p) => p === "/var/lib/berth").length, 1, "listed once");
  assert.ok(!c.mounts.some((m) => m.destination === "/home" || m.destination === "/root"), "no /home, no /root");
  assert.ok(
    buildOciConfig({ ...base, hostHome: true }).mounts.some((m) => m.destination === "/home" && m.options.includes("ro")),
    "--host-home: /home read-only",
  );
  const own = buildOciConfig({ ...base, rootfs: "/srv/image", hiddenHostPaths: ["/var/lib/berth"] });
  assert.ok(!own.linux.maskedPaths.includes("/etc/shadow"), "a container's own root filesystem is its own business");
});
