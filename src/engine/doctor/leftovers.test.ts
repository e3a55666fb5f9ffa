import { test } from "node:test";
import assert from "node:assert/strict";
import { leftoverFindings, type LeftoverInput } from "./leftovers.js";
import { ctr } from "./fixtures.test-support.js";

const base: LeftoverInput = {
  links: [],
  wantedVeths: new Set(),
  wantedBridges: new Set(),
  netnsDir: "/run/netns",
  netnsFiles: [],
  wantedNetns: new Set(),
  interrupted: [],
};

test("veths named like Berth's and bridges Berth made (named or marked) that the store does not know are leftovers; others are not", () => {
  const f = leftoverFindings({
    ...base,
    links: [
      { name: "bth0123456789ab", kind: "veth" },
      { name: "bthaaaaaaaaaaaa", kind: "veth" },
      { name: "bthnotaveth", kind: "dummy" },
      { name: "veth12", kind: "veth" },
      { name: "berth7", kind: "bridge" },
      { name: "berth0", kind: "bridge" },
      { name: "berthx", kind: "bridge" },
      { name: "cni0", kind: "bridge", alias: "made by berth" },
      { name: "cni1", kind: "bridge" },
    ],
    wantedVeths: new Set(["bthaaaaaaaaaaaa"]),
    wantedBridges: new Set(["berth0"]),
  });
  assert.deepEqual(
    f.map((x) => [x.code, x.evidence]),
    [
      ["LEFTOVER_VETH", "veth bth0123456789ab on the host; no attachment in the store uses it"],
      ["LEFTOVER_BRIDGE", "bridge berth7 on the host; no network in the store has it"],
      ["LEFTOVER_BRIDGE", `bridge cni0 on the host with Berth's mark (alias "made by berth"); no network in the store has it`],
    ],
  );
  assert.ok(f.every((x) => x.severity === "warning" && x.fix === "berth system reconcile"));
});

test("netns files with Berth's prefix and no container are leftovers; other tools' namespaces are not", () => {
  const f = leftoverFindings({
    ...base,
    netnsFiles: ["berth-0123456789ab", "berth-aaaaaaaaaaaa", "vpn"],
    wantedNetns: new Set(["/run/netns/berth-aaaaaaaaaaaa"]),
  });
  assert.deepEqual(
    f.map((x) => [x.code, x.evidence]),
    [["LEFTOVER_NETNS", "/run/netns/berth-0123456789ab exists; no container in the store uses it"]],
  );
});

test("an interrupted container names its status and dead owner", () => {
  const [f] = leftoverFindings({ ...base, interrupted: [ctr("web", { status: "creating", ownerPid: 4242 })] });
  assert.equal(f?.code, "INTERRUPTED_CONTAINER");
  assert.equal(f?.evidence, "status creating, owner pid 4242 is not running");
  assert.match(f?.summary ?? "", /web was left half-created/);
});
