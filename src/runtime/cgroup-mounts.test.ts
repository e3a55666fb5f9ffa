import { test } from "node:test";
import assert from "node:assert/strict";
import { cgroupMountPoints, runtimeFailureHint } from "./cgroup-mounts.js";

const HOST = [
  "22 27 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
  "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate",
  "40 26 0:35 / /sys/fs/cgroup/net_cls rw shared:20 - cgroup cgroup rw,net_cls",
].join("\n");
// what `ip netns exec` leaves: a fresh sysfs on /sys, nothing under it
const NETNS_EXEC = "22 27 0:21 / / rw - ext4 /dev/sda1 rw\n812 811 0:60 / /sys rw,relatime - sysfs bx rw\n";

test("cgroupMountPoints() finds cgroup and cgroup2 mounts by type, none after `ip netns exec`", () => {
  assert.deepEqual(cgroupMountPoints(HOST), ["/sys/fs/cgroup", "/sys/fs/cgroup/net_cls"]);
  assert.deepEqual(cgroupMountPoints(NETNS_EXEC), []);
});

test("runtimeFailureHint() names the cgroup cause for runc's message, else keeps the usual hint", () => {
  assert.match(runtimeFailureHint("runc create failed: no cgroup mount found in mountinfo", "x"), /ip netns exec.*unshare --net --mount.*mount -t cgroup2/);
  assert.equal(runtimeFailureHint('exec: "nope": executable file not found in $PATH', "check the command"), "check the command");
});
