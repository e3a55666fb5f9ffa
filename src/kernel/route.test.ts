import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, decodeAttrs, encodeAttrs, readIpv4, readU32 } from "./nl/attrs.js";
import {
  IFA_BROADCAST,
  RTA_DST,
  RTA_GATEWAY,
  RTA_OIF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTN_LOCAL,
  RTN_UNICAST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
} from "./nl/constants.js";
import { RTMSG_LEN, decodeRtmsg, rtmsg } from "./nl/messages.js";
import { decodeRoute, describeRoute, routeRequest } from "./route.js";
import { addrRequest, decodeAddr } from "./addr.js";

test("routeRequest() for a default route via a gateway: dst_len 0, no RTA_DST, scope universe", () => {
  const { fixed, attrs } = routeRequest({ gateway: "10.88.0.1" });
  const h = decodeRtmsg(fixed);
  assert.deepEqual([h.family, h.dstLen, h.table, h.scope, h.type], [2, 0, 254, RT_SCOPE_UNIVERSE, RTN_UNICAST]);
  const a = decodeAttrs(attrs);
  assert.equal(a.has(RTA_DST), false);
  assert.equal(readIpv4(a.get(RTA_GATEWAY)), "10.88.0.1");
  assert.equal(readU32(a.get(RTA_TABLE)), 254);
});

test("routeRequest() for an on-link subnet: scope link, host bits cleared, oif and src", () => {
  const { fixed, attrs } = routeRequest({ dst: "10.1.2.3/24", ifindex: 4, src: "10.1.2.9" });
  const h = decodeRtmsg(fixed);
  assert.deepEqual([h.dstLen, h.scope], [24, RT_SCOPE_LINK]);
  const a = decodeAttrs(attrs);
  assert.equal(readIpv4(a.get(RTA_DST)), "10.1.2.0");
  assert.equal(readU32(a.get(RTA_OIF)), 4);
  assert.equal(readIpv4(a.get(RTA_PREFSRC)), "10.1.2.9");
  assert.throws(() => routeRequest({ dst: "10.1.2.0/33" }), { code: "INVALID_SUBNET" });
  assert.equal(describeRoute({ dst: "10.1.2.0/24", ifindex: 4 }), "10.1.2.0/24 dev 4");
  assert.equal(describeRoute({ gateway: "10.0.0.1" }), "default via 10.0.0.1");
});

test("decodeRoute() keeps main-table unicast routes only", () => {
  const route = (type: number, table: number, extra: Parameters<typeof encodeAttrs>[0]) =>
    Buffer.concat([rtmsg({ family: 2, dstLen: 16, table: Math.min(table, 255), type }), encodeAttrs([attr.u32(RTA_TABLE, table), ...extra])]);
  assert.deepEqual(decodeRoute(route(RTN_UNICAST, 254, [attr.ipv4(RTA_DST, "10.88.0.0"), attr.u32(RTA_OIF, 3)])), {
    dst: "10.88.0.0/16",
    gateway: undefined,
    ifindex: 3,
    table: 254,
  });
  assert.equal(decodeRoute(route(RTN_LOCAL, 255, [])), undefined);
  assert.equal(decodeRoute(route(RTN_UNICAST, 1000, [])), undefined);
  const dflt = Buffer.concat([rtmsg({ family: 2, table: 254, type: RTN_UNICAST }), encodeAttrs([attr.ipv4(RTA_GATEWAY, "10.0.0.1")])]);
  assert.deepEqual(decodeRoute(dflt), { dst: undefined, gateway: "10.0.0.1", ifindex: undefined, table: 254 });
  assert.equal(RTMSG_LEN, 12);
});

test("addrRequest() and decodeAddr() round-trip; a bad prefix is refused before the kernel sees it", () => {
  const { fixed, attrs } = addrRequest(5, "10.88.0.7", 16);
  assert.deepEqual(decodeAddr(Buffer.concat([fixed, attrs])), { ifindex: 5, ip: "10.88.0.7", prefix: 16 });
  assert.equal(readIpv4(decodeAttrs(attrs).get(IFA_BROADCAST)), "10.88.255.255", "the subnet's broadcast address, as ip addr add ... brd + sets it");
  assert.equal(decodeAttrs(addrRequest(5, "10.0.0.1", 31).attrs).get(IFA_BROADCAST), undefined, "none on a /31");
  assert.throws(() => addrRequest(5, "10.88.0.7", 33), { code: "INVALID_ADDRESS" });
  assert.throws(() => addrRequest(5, "10.88.0", 24), { code: "INVALID_ADDRESS" });
});

test("routeRequest() carries a metric as RTA_PRIORITY, and decodeRoute() reads it back", () => {
  const { fixed, attrs } = routeRequest({ gateway: "10.88.0.1", ifindex: 3, metric: 100 });
  assert.equal(readU32(decodeAttrs(attrs).get(RTA_PRIORITY)), 100);
  assert.equal(decodeRoute(Buffer.concat([fixed, attrs]))?.metric, 100);
  assert.equal(describeRoute({ gateway: "10.88.0.1", metric: 100 }), "default via 10.88.0.1 metric 100");
});
