import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, decodeAttrs, encodeAttrs, readStr, readU32 } from "./nl/attrs.js";
import {
  IFF_UP,
  IFLA_ADDRESS,
  IFLA_IFNAME,
  IFLA_IFALIAS,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_LINK_NETNSID,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_NET_NS_FD,
  VETH_INFO_PEER,
} from "./nl/constants.js";
import { IFINFOMSG_LEN, decodeIfinfomsg, ifinfomsg } from "./nl/messages.js";
import { bridgeAttrs, decodeLink, vethAttrs } from "./link.js";

function sub(b: Buffer | undefined): Map<number, Buffer> {
  assert.ok(b, "attribute present");
  return decodeAttrs(b);
}

test("vethAttrs() puts the peer's name, namespace fd, MTU and MAC inside IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER", () => {
  const a = decodeAttrs(
    encodeAttrs(vethAttrs({ name: "bth1a2b3c", peerName: "eth0", peerNetnsFd: 23, mtu: 1400, peerMac: "02:AA:bb:cc:dd:ee", masterIndex: 5 })),
  );
  assert.equal(readStr(a.get(IFLA_IFNAME)), "bth1a2b3c");
  assert.equal(readU32(a.get(IFLA_MTU)), 1400);
  assert.equal(readU32(a.get(IFLA_MASTER)), 5);
  assert.equal(a.has(IFLA_NET_NS_FD), false, "the host end stays here");
  const info = sub(a.get(IFLA_LINKINFO));
  assert.equal(readStr(info.get(IFLA_INFO_KIND)), "veth");
  const peerMsg = sub(info.get(IFLA_INFO_DATA)).get(VETH_INFO_PEER);
  assert.ok(peerMsg);
  assert.deepEqual(decodeIfinfomsg(peerMsg), { family: 0, type: 0, index: 0, flags: 0, change: 0 });
  const peer = decodeAttrs(peerMsg, IFINFOMSG_LEN);
  assert.equal(readStr(peer.get(IFLA_IFNAME)), "eth0");
  assert.equal(readU32(peer.get(IFLA_NET_NS_FD)), 23);
  assert.equal(readU32(peer.get(IFLA_MTU)), 1400);
  assert.equal(peer.get(IFLA_ADDRESS)?.toString("hex"), "02aabbccddee");
});

test("vethAttrs() leaves out what was not asked for, and rejects a bad MAC", () => {
  const a = decodeAttrs(encodeAttrs(vethAttrs({ name: "v0", peerName: "eth0", peerNetnsFd: 3 })));
  assert.deepEqual([...a.keys()].sort(), [IFLA_IFNAME, IFLA_LINKINFO].sort());
  assert.throws(() => vethAttrs({ name: "v0", peerName: "eth0", peerNetnsFd: 3, peerMac: "01:00:5e:00:00:01" }), { code: "INVALID_ADDRESS" });
});

test("bridgeAttrs() golden bytes: name, kind bridge, mtu", () => {
  assert.equal(
    encodeAttrs(bridgeAttrs({ name: "br0", mtu: 9000 })).toString("hex"),
    ["0800030062723000", "1000" + "1280" + "0b000100" + "6272696467650000", "08000400" + "28230000"].join(""),
  );
});

test("decodeLink() reads an RTM_NEWLINK as the kernel sends it for a veth whose peer is in another namespace", () => {
  const body = Buffer.concat([
    ifinfomsg({ index: 7, flags: IFF_UP | 0x1000 }),
    encodeAttrs([
      attr.str(IFLA_IFNAME, "bth0"),
      attr.u32(IFLA_MTU, 1500),
      attr.bytes(IFLA_ADDRESS, Buffer.from([0x92, 0xd0, 0xc6, 0x0a, 0x29, 0x33])),
      attr.u32(IFLA_MASTER, 3),
      attr.u32(IFLA_LINK, 2),
      attr.s32(IFLA_LINK_NETNSID, 0),
      attr.nested(IFLA_LINKINFO, [attr.str(IFLA_INFO_KIND, "veth")]),
      attr.str(IFLA_IFALIAS, "made by berth"),
    ]),
  ]);
  assert.deepEqual(decodeLink(body), {
    index: 7,
    name: "bth0",
    kind: "veth",
    mtu: 1500,
    mac: "92:d0:c6:0a:29:33",
    up: true,
    masterIndex: 3,
    peerIndex: 2,
    peerNetnsId: 0,
    alias: "made by berth",
  });
});

test("decodeLink() of loopback: no kind, no master, no peer", () => {
  const body = Buffer.concat([
    ifinfomsg({ index: 1, flags: 0 }),
    encodeAttrs([attr.str(IFLA_IFNAME, "lo"), attr.u32(IFLA_MTU, 65536), attr.bytes(IFLA_ADDRESS, Buffer.alloc(6))]),
  ]);
  assert.deepEqual(decodeLink(body), {
    index: 1,
    name: "lo",
    kind: undefined,
    mtu: 65536,
    mac: "00:00:00:00:00:00",
    up: false,
    masterIndex: undefined,
    peerIndex: undefined,
    peerNetnsId: undefined,
    alias: undefined,
  });
});
