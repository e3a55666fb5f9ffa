import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthError, KernelError, wrap } from "../../errors.js";
import { logsInfo, netavarkCall } from "./netavark-call.js";
import { netavarkErrorText, rustIoText } from "./netavark-error-text.js";

const setup = { verb: "setup", netns: "/nonexistent/netns/1", file: undefined } as const;

test("the failures Podman users see get netavark 1.4's exact words, through wrap()'s context", () => {
  const ro = wrap(
    "Cannot set up",
    new BerthError("KERNEL", "Cannot turn on net.ipv4.ip_forward", { cause: new KernelError("set sysctl net.ipv4.ip_forward=1", 30) }),
  );
  assert.equal(netavarkErrorText(ro, setup), "Sysctl error: IO Error: Read-only file system (os error 30)");
  const veth = wrap(
    "Cannot set up",
    new KernelError('create veth "bth1" (peer "eth0")', 17, { extack: `interface "eth0" already exists in the peer's namespace net:[1]` }),
  );
  assert.equal(
    netavarkErrorText(veth, setup),
    "create veth pair: interface eth0 already exists on container namespace: Netlink error: File exists (os error 17)",
  );
  assert.equal(
    netavarkErrorText(wrap("x", new BerthError("IPV6_DISABLED", "IPv6 is off")), setup),
    "add ip addr to bridge: failed to add ipv6 address, is ipv6 enabled in the kernel?: Netlink error: Permission denied (os error 13)",
  );
  assert.equal(
    netavarkErrorText(new BerthError("NETNS_NOT_FOUND", "no ns"), setup),
    "invalid namespace path: IO error: No such file or directory (os error 2)",
  );
  assert.equal(rustIoText(2), "No such file or directory (os error 2)");
});

test("other failures keep Berth's message and hint", () => {
  assert.equal(netavarkErrorText(new BerthError("PORT_IN_USE", "port taken", { hint: "h" }), setup), undefined);
  assert.equal(netavarkErrorText(new KernelError("add route", 17), setup), undefined);
});

test("a missing --file and an unknown IPAM driver answer as netavark does", async () => {
  const missing = await netavarkCall(["--file", "/nonexistent/berth.json", "setup", "/proc/self/ns/net"], undefined, (f) => {
    if (f === undefined) return "";
    throw Object.assign(new Error("ENOENT"), { errno: -2, code: "ENOENT" });
  });
  assert.equal(missing.exitCode, 1);
  assert.deepEqual(JSON.parse(missing.stdout), { error: "failed to load network options: IO error: No such file or directory (os error 2)" });
  const input = {
    container_id: "c",
    container_name: "n",
    networks: { podman: { interface_name: "eth0" } },
    network_info: { podman: { name: "podman", id: "x", driver: "bridge", network_interface: "podman0", subnets: [], ipam_options: { driver: "someDriver" } } },
  };
  const ipam = await netavarkCall(["setup", "/proc/self/ns/net"], undefined, () => JSON.stringify(input));
  assert.deepEqual(JSON.parse(ipam.stdout), { error: "IO error: unsupported ipam driver someDriver" });
});

test("netavark version names a 40-hex commit", async () => {
  const v = await netavarkCall(["version"], undefined, () => "");
  assert.match((JSON.parse(v.stdout) as { commit: string }).commit, /^[0-9a-f]{40}$/);
});

test("Berth's own reason goes to stderr only at Podman's info level or finer (RUST_LOG=netavark=LEVEL)", () => {
  assert.equal(logsInfo("netavark=info"), true);
  assert.equal(logsInfo("netavark=debug"), true);
  assert.equal(logsInfo("info"), true);
  assert.equal(logsInfo("netavark=warn"), false);
  assert.equal(logsInfo("netlink=debug,netavark=error"), false);
  assert.equal(logsInfo(undefined), false);
});
