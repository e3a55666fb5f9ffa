import { test } from "node:test";
import assert from "node:assert/strict";
import { NLMSG_ERROR, NLM_F_ACK_TLVS, NLM_F_CAPPED, RTM_NEWLINK } from "./constants.js";
import { decodeMessages, encodeMessage, ifinfomsg } from "./messages.js";
import { decodeNlMsgErr, encodeNlMsgErr } from "./nlmsgerr.js";
import { attr, encodeAttrs } from "./attrs.js";

const request = encodeMessage(RTM_NEWLINK, 5, 99, ifinfomsg({ index: 4 }), encodeAttrs([attr.str(3, "br0")]));

test("an ACK is an NLMSG_ERROR with error 0", () => {
  const { flags, body } = encodeNlMsgErr(0, request);
  assert.deepEqual(decodeNlMsgErr({ flags, body }), { errno: 0, requestSeq: 99, extack: undefined, badAttrOffset: undefined });
});

test("a capped error with NLMSGERR_ATTR_MSG yields the errno and the kernel's text (golden bytes)", () => {
  const { flags, body } = encodeNlMsgErr(17, request, "File exists");
  assert.equal(flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
  assert.equal(body.subarray(0, 4).toString("hex"), "efffffff"); // -17
  assert.equal(body.subarray(20).toString("hex"), "1000" + "0100" + Buffer.from("File exists\0").toString("hex"));
  const wire = encodeMessage(NLMSG_ERROR, flags, 99, body, Buffer.alloc(0));
  const [m] = decodeMessages(wire);
  assert.ok(m);
  assert.deepEqual(decodeNlMsgErr(m), { errno: 17, requestSeq: 99, extack: "File exists", badAttrOffset: undefined });
});

test("an uncapped error skips the whole echoed request before the extack TLVs", () => {
  const tlvs = encodeAttrs([attr.str(1, "Unknown device type"), attr.u32(2, 36)]);
  const body = Buffer.concat([Buffer.from([0xa1, 0xff, 0xff, 0xff]), request, tlvs]); // -95 EOPNOTSUPP
  assert.deepEqual(decodeNlMsgErr({ flags: NLM_F_ACK_TLVS, body }), { errno: 95, requestSeq: 99, extack: "Unknown device type", badAttrOffset: 36 });
});

test("without NLM_F_ACK_TLVS there is no extack, even if bytes follow", () => {
  const body = Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), request]);
  assert.equal(decodeNlMsgErr({ flags: 0, body }).extack, undefined);
  assert.equal(decodeNlMsgErr({ flags: 0, body }).errno, 22);
});
