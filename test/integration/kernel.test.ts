// The kernel layer on the real kernel, inside the test sandbox: namespaces
// under a temp dir, a bridge, veths whose peers are created directly in
// those namespaces, addresses, routes, and packets that really flow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireSandbox } from "../helpers.js";
import {
  NetlinkHandle,
  backgroundSettled,
  netnsCreate,
  netnsDelete,
  netnsDirRelease,
  netnsExists,
  netnsInode,
  sysctlRead,
  sysctlWrite,
  withNetns,
  type Link,
} from "../../src/kernel/index.js";
import { KernelError } from "../../src/errors.js";

const suffix = process.pid.toString(36).slice(-4);

/** A temp dir for namespace files plus the host handle; everything is undone by cleanup(). */
function setup(): { dir: string; host: NetlinkHandle; ns: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "berth-kernel-"));
  const host = NetlinkHandle.open();
  const before = new Set(host.linkList().map((l) => l.name));
  const made: string[] = [];
  return {
    dir,
    host,
    ns: (name) => {
      const p = join(dir, "netns", name);
      netnsCreate(p);
      made.push(p);
      return p;
    },
    cleanup: () => {
      for (const l of host.linkList()) if (!before.has(l.name)) host.linkRemove(l.name);
      for (const p of made) netnsDelete(p);
      netnsDirRelease(join(dir, "netns"));
      host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function threadNetns(): string {
  return readlinkSync("/proc/thread-self/ns/net");
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => (l.split(" ")[4] ?? "").startsWith(dir));
}

function nsenter(path: string, ...cmd: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync("nsenter", [`--net=${path}`, ...cmd], { encoding: "utf8", timeout: 10_000 });
}

function withFd<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, "r");
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

function kernelError(e: unknown): KernelError {
  assert.ok(e instanceof KernelError, `expected a KernelError, got ${String(e)}`);
  return e;
}

test("two namespaces ping each other through a bridge; veth peers are created directly inside them", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const br = s.host.bridgeAdd({ name: `kbr${suffix}`, mtu: 1400 });
    assert.deepEqual([br.kind, br.mtu, br.up, br.alias], ["bridge", 1400, true, undefined]);
    s.host.linkSetAlias(br.index, "made by berth");
    assert.equal(s.host.linkByName(`kbr${suffix}`)?.alias, "made by berth", "the alias reads back (Berth's mark on its bridges)");
    s.host.addrAdd(br.index, "10.123.0.1", 24);
    const peers: { path: string; ip: string; veth: Link }[] = [];
    for (const [i, ip] of [
      [1, "10.123.0.11"],
      [2, "10.123.0.12"],
    ] as const) {
      const path = s.ns(`c${i}`);
      assert.equal(netnsExists(path), true);
      const name = `kv${suffix}${i}`;
      const mac = `02:00:00:00:00:0${i}`;
      withFd(path, (fd) => s.host.vethAdd({ name, peerName: "eth0", peerNetnsFd: fd, mtu: 1400, peerMac: mac, masterIndex: br.index, up: true }));
      const veth = s.host.linkByName(name);
      assert.ok(veth);
      assert.deepEqual([veth.kind, veth.mtu, veth.up, veth.masterIndex], ["veth", 1400, true, br.index]);
      assert.notEqual(veth.peerNetnsId, undefined, "the peer lives in another namespace");
      const c = NetlinkHandle.open(path);
      try {
        const eth0 = c.linkByName("eth0");
        assert.ok(eth0, "eth0 exists inside the namespace");
        assert.deepEqual([eth0.kind, eth0.mac, eth0.mtu, eth0.peerIndex], ["veth", mac, 1400, veth.index]);
        assert.equal(c.linkByIndex(eth0.index)?.name, "eth0");
        c.addrAdd(eth0.index, ip, 24);
        c.linkSetUp(eth0.index);
        c.routeAdd({ gateway: "10.123.0.1" });
        assert.deepEqual(c.addrList(eth0.index), [{ ifindex: eth0.index, ip, prefix: 24 }]);
        assert.deepEqual(
          c.routeList().sort((a, b) => String(a.dst).localeCompare(String(b.dst))),
          [
            { dst: "10.123.0.0/24", gateway: undefined, ifindex: eth0.index, table: 254 },
            { dst: undefined, gateway: "10.123.0.1", ifindex: eth0.index, table: 254 },
          ],
        );
        assert.equal(c.linkByName("lo")?.up, true, "netnsCreate brings loopback up");
      } finally {
        c.close();
      }
      peers.push({ path, ip, veth });
    }
    const [a, b] = peers;
    assert.ok(a && b);
    const ping = nsenter(a.path, "ping", "-c1", "-W2", b.ip);
    assert.equal(ping.status, 0, `ping ${b.ip} from c1: ${ping.stdout}${ping.stderr}`);
    const toGw = nsenter(b.path, "ping", "-c1", "-W2", "10.123.0.1");
    assert.equal(toGw.status, 0, `ping the bridge from c2: ${toGw.stdout}${toGw.stderr}`);
    // deleting the host end takes the peer with it
    s.host.linkDel(a.veth.index);
    const c1 = NetlinkHandle.open(a.path);
    try {
      assert.equal(c1.linkByName("eth0"), undefined);
    } finally {
      c1.close();
    }
  } finally {
    s.cleanup();
  }
});

test("EEXIST fails with IFNAME_IN_USE naming the interface and its namespace", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const name = `kbx${suffix}`;
    s.host.bridgeAdd({ name });
    assert.throws(
      () => s.host.bridgeAdd({ name }),
      (e) => {
        const k = kernelError(e);
        assert.equal(k.code, "IFNAME_IN_USE");
        assert.equal(k.errno, 17);
        assert.equal(k.message, `create bridge "${name}" in the host namespace: interface "${name}" already exists in the host namespace (EEXIST)`);
        return true;
      },
    );
    const path = s.ns("c1");
    withFd(path, (fd) => {
      s.host.vethAdd({ name: `kva${suffix}`, peerName: "eth0", peerNetnsFd: fd });
      assert.throws(
        () => s.host.vethAdd({ name: `kva${suffix}`, peerName: "eth1", peerNetnsFd: fd }),
        (e) => {
          const k = kernelError(e);
          assert.equal(k.code, "IFNAME_IN_USE");
          assert.equal(k.op, `create veth "kva${suffix}" (peer "eth1")`);
          assert.match(k.message, new RegExp(`interface "kva${suffix}" already exists in the host namespace`));
          return true;
        },
      );
      assert.throws(
        () => s.host.vethAdd({ name: `kvb${suffix}`, peerName: "eth0", peerNetnsFd: fd }),
        (e) => {
          const k = kernelError(e);
          assert.equal(k.code, "IFNAME_IN_USE");
          assert.match(k.message, /interface "eth0" already exists in the peer's namespace /);
          assert.ok(k.message.includes(path), `names the namespace: ${k.message}`);
          return true;
        },
      );
    });
    assert.equal(s.host.linkByName(`kvb${suffix}`), undefined, "a failed vethAdd leaves nothing behind");
  } finally {
    s.cleanup();
  }
});

test("the kernel's extack text surfaces in the KernelError", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const br = s.host.bridgeAdd({ name: `kbe${suffix}` });
    assert.throws(
      () => s.host.linkSetMtu(br.index, 10),
      (e) => {
        const k = kernelError(e);
        assert.equal(k.errno, 22);
        assert.equal(k.extack, "mtu less than device minimum");
        assert.equal(k.message, `set mtu of link ${br.index} to 10 in the host namespace: mtu less than device minimum (EINVAL)`);
        return true;
      },
    );
    assert.throws(
      () => s.host.routeAdd({ dst: "10.124.0.0/16", gateway: "10.125.0.1" }),
      (e) => {
        assert.equal(kernelError(e).extack, "Nexthop has invalid gateway");
        return true;
      },
    );
    assert.throws(
      () => s.host.addrAdd(0x7ffffff0, "10.124.0.1", 24),
      (e) => {
        const k = kernelError(e);
        assert.equal(k.errno, 19);
        assert.match(k.message, /Device not found/);
        return true;
      },
    );
  } finally {
    s.cleanup();
  }
});

test("a bridge made with multicast snooping off has it off in the kernel; one made without asking keeps the kernel's default (on)", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const snooping = (name: string): unknown => {
      const r = spawnSync("ip", ["-d", "-j", "link", "show", "dev", name], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return (JSON.parse(r.stdout) as { linkinfo?: { info_data?: { mcast_snooping?: number } } }[])[0]?.linkinfo?.info_data?.mcast_snooping;
    };
    s.host.bridgeAdd({ name: `kbs${suffix}`, multicastSnooping: false });
    s.host.bridgeAdd({ name: `kbd${suffix}` });
    assert.equal(snooping(`kbs${suffix}`), 0);
    assert.equal(snooping(`kbd${suffix}`), 1);
  } finally {
    s.host.linkRemove(`kbs${suffix}`);
    s.host.linkRemove(`kbd${suffix}`);
    s.cleanup();
  }
});

test("link, address and route verbs: set down/mtu/name/master, replace, delete, remove is idempotent", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const br = s.host.bridgeAdd({ name: `kbl${suffix}`, mac: "02:12:34:56:78:9a" });
    assert.equal(br.mac, "02:12:34:56:78:9a");
    const path = s.ns("c1");
    withFd(path, (fd) => s.host.vethAdd({ name: `kvl${suffix}`, peerName: "eth0", peerNetnsFd: fd }));
    const v = s.host.linkByName(`kvl${suffix}`);
    assert.ok(v);
    assert.equal(v.up, false);
    s.host.linkSetMaster(v.index, br.index);
    s.host.linkSetMtu(v.index, 1300);
    s.host.linkSetUp(v.index);
    assert.deepEqual(pick(s.host.linkByIndex(v.index)), { masterIndex: br.index, mtu: 1300, up: true });
    s.host.linkSetDown(v.index);
    s.host.linkSetName(v.index, `kvr${suffix}`);
    s.host.linkSetMaster(v.index, 0);
    assert.deepEqual(pick(s.host.linkByName(`kvr${suffix}`)), { masterIndex: undefined, mtu: 1300, up: false });

    s.host.addrAdd(br.index, "10.126.0.1", 24);
    assert.throws(() => s.host.addrAdd(br.index, "10.126.0.1", 24), { errno: 17 });
    s.host.addrReplace(br.index, "10.126.0.1", 24);
    assert.deepEqual(s.host.addrList(br.index), [{ ifindex: br.index, ip: "10.126.0.1", prefix: 24 }]);
    s.host.linkSetUp(br.index);
    s.host.routeAdd({ dst: "10.127.0.0/16", gateway: "10.126.0.254" });
    assert.throws(() => s.host.routeAdd({ dst: "10.127.0.0/16", gateway: "10.126.0.254" }), { errno: 17 });
    s.host.routeReplace({ dst: "10.127.0.0/16", gateway: "10.126.0.253" });
    assert.deepEqual(
      s.host.routeList().filter((r) => r.dst === "10.127.0.0/16"),
      [{ dst: "10.127.0.0/16", gateway: "10.126.0.253", ifindex: br.index, table: 254 }],
    );
    s.host.routeReplace({ dst: "10.128.0.0/16", ifindex: br.index, src: "10.126.0.1" });
    assert.ok(s.host.routeList().some((r) => r.dst === "10.128.0.0/16" && r.ifindex === br.index && r.gateway === undefined));
    s.host.addrDel(br.index, "10.126.0.1", 24);
    assert.deepEqual(s.host.addrList(br.index), []);
    assert.throws(() => s.host.addrDel(br.index, "10.126.0.1", 24), KernelError);

    assert.equal(s.host.linkRemove(`kvr${suffix}`), true);
    assert.equal(s.host.linkRemove(`kvr${suffix}`), false, "already gone is success");
    assert.throws(
      () => s.host.linkDel(v.index),
      (e) => kernelError(e).errno === 19,
    );
    assert.equal(s.host.linkByName(`kvr${suffix}`), undefined);
  } finally {
    s.cleanup();
  }
});

test("a veth removed detached: unlisted (its peer's routes gone, its name free) when the call returns, a veth of that name can be made at once, and the deletion finishes", async (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const br = s.host.bridgeAdd({ name: `kbg${suffix}`, mac: "02:12:34:56:78:9b" });
    s.host.linkSetUp(br.index);
    const name = `kvg${suffix}`;
    const make = (ns: string) => {
      const path = s.ns(ns);
      withFd(path, (fd) => s.host.vethAdd({ name, peerName: "eth0", peerNetnsFd: fd }));
      const v = s.host.linkByName(name);
      assert.ok(v);
      s.host.linkSetMaster(v.index, br.index);
      s.host.linkSetUp(v.index);
      const inside = NetlinkHandle.open(path);
      try {
        const eth0 = inside.linkByName("eth0");
        assert.ok(eth0);
        inside.linkSetUp(eth0.index);
        inside.addrAdd(eth0.index, "10.129.0.2", 24);
        inside.routeAdd({ dst: "0.0.0.0/0", gateway: "10.129.0.1" });
      } finally {
        inside.close();
      }
      return { index: v.index, path };
    };
    const first = make("bg1");
    assert.equal(s.host.linkRemoveDetached(name), true);
    assert.equal(s.host.linkByIndex(first.index), undefined, "the old link is unlisted when the call returns");
    assert.equal(nsenter(first.path, "ip", "route", "show", "default").stdout.trim(), "", "and the routes through its peer are gone");
    const second = make("bg2");
    assert.notEqual(second.index, first.index);
    await backgroundSettled();
    assert.equal(s.host.linkByIndex(second.index)?.name, name, "the new veth of the same name stays");
    assert.equal(nsenter(first.path, "ip", "-o", "link", "show", "eth0").status, 1, "the peer in the first namespace went with it");
    assert.equal(s.host.linkRemoveDetached(`kno${suffix}`), false, "nothing of that name");
  } finally {
    s.cleanup();
  }
});

function pick(l: Link | undefined): { masterIndex: number | undefined; mtu: number; up: boolean } | undefined {
  return l && { masterIndex: l.masterIndex, mtu: l.mtu, up: l.up };
}

test("namespaces: create, exists, inode, delete is idempotent, duplicate and missing paths fail clearly", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const path = s.ns("c1");
    assert.equal(netnsExists(path), true);
    assert.equal(netnsInode(path), Number(/\[(\d+)\]/.exec(nsenter(path, "readlink", "/proc/self/ns/net").stdout)?.[1]));
    assert.throws(() => netnsCreate(path), { code: "NAME_IN_USE" });
    assert.equal(netnsExists(path), true, "a failed create leaves the existing namespace alone");
    assert.equal(netnsDelete(path), true);
    assert.equal(netnsDelete(path), false, "already gone is success");
    assert.equal(netnsExists(path), false);
    assert.equal(existsSync(path), false);
    const leftover = join(s.dir, "netns", "leftover");
    writeFileSync(leftover, "");
    assert.equal(netnsExists(leftover), false, "an unmounted placeholder file is no namespace");
    assert.equal(netnsDelete(leftover), true);
    assert.throws(() => NetlinkHandle.open(join(s.dir, "netns", "missing")), { code: "NETNS_NOT_FOUND" });
    assert.throws(() => withNetns(join(s.dir, "netns", "missing"), () => 1), { code: "NETNS_NOT_FOUND" });
    assert.throws(() => netnsInode(join(s.dir, "netns", "missing")), { code: "NETNS_NOT_FOUND" });
  } finally {
    s.cleanup();
  }
  assert.deepEqual(mountsUnder(s.dir), [], "no mount is left under the temp dir");
});

test("withNetns() runs inside, always switches back (also on throw), and sysctls are per namespace", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  try {
    const path = s.ns("c1");
    const home = threadNetns();
    const inside = withNetns(path, () => threadNetns());
    assert.notEqual(inside, home);
    assert.equal(inside, `net:[${netnsInode(path)}]`);
    assert.equal(threadNetns(), home);
    assert.throws(
      () =>
        withNetns(path, () => {
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(threadNetns(), home, "back home after a throw");
    const child = withNetns(path, () => spawnSync("readlink", ["/proc/self/ns/net"], { encoding: "utf8" }).stdout.trim());
    assert.equal(child, inside, "a child spawned inside starts in the namespace");
    const hostForward = sysctlRead("net.ipv4.ip_forward");
    withNetns(path, () => sysctlWrite("net.ipv4.ip_forward", hostForward === "1" ? "0" : "1"));
    assert.equal(
      withNetns(path, () => sysctlRead("net.ipv4.ip_forward")),
      hostForward === "1" ? "0" : "1",
    );
    assert.equal(sysctlRead("net.ipv4.ip_forward"), hostForward, "the host's sysctl is untouched");
    assert.throws(
      () => sysctlRead("net.ipv4.no_such_knob"),
      (e) => kernelError(e).errno === 2,
    );
    assert.throws(() => sysctlRead("../etc/passwd"), { code: "INVALID_ARGUMENT" });
    assert.throws(() => withNetns(path, () => Promise.resolve(1)), { code: "INTERNAL" });
    assert.equal(threadNetns(), home);
  } finally {
    s.cleanup();
  }
});

test("nothing is left behind: the sandbox's links are as they were and no namespace file or mount remains", (t) => {
  if (!requireSandbox(t)) return;
  const s = setup();
  const namesBefore = s.host
    .linkList()
    .map((l) => l.name)
    .sort();
  const path = s.ns("c1");
  withFd(path, (fd) => s.host.vethAdd({ name: `kvz${suffix}`, peerName: "eth0", peerNetnsFd: fd }));
  s.host.bridgeAdd({ name: `kbz${suffix}` });
  const dir = s.dir;
  s.cleanup();
  const h = NetlinkHandle.open();
  try {
    assert.deepEqual(
      h
        .linkList()
        .map((l) => l.name)
        .sort(),
      namesBefore,
    );
  } finally {
    h.close();
  }
  assert.equal(existsSync(dir), false);
  assert.deepEqual(mountsUnder(dir), []);
});
