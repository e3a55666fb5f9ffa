import { test } from "node:test";
import assert from "node:assert/strict";
import { isNftNotFound, nftFailure, summarizeNftMessage } from "./nft-error.js";

const EXISTS = `Error: Could not process rule: File exists
add element inet berth dnat_any { tcp . 8080 : 10.89.0.9 . 80 }
                                  ^^^^^^^^^^
`;
const FILE_ERR = `/tmp/berth-nft-x/script.nft:9:52-66: Error: invalid priority expression value in this context.
add chain inet berth output { type nat hook output priority dstnat; policy accept; }
                                                   ^^^^^^^^^^^^^^^
`;

test("summarizeNftMessage() keeps the Error lines and the command they point at, not the carets", () => {
  assert.equal(summarizeNftMessage(EXISTS), "Error: Could not process rule: File exists | in: add element inet berth dnat_any { tcp . 8080 : 10.89.0.9 . 80 }");
  assert.match(summarizeNftMessage(FILE_ERR), /^Error: invalid priority expression value in this context\. \| in: add chain inet berth output/);
  assert.equal(summarizeNftMessage("something odd\nhappened"), "something odd | happened");
  assert.equal(summarizeNftMessage(""), "no message");
});

test("nftFailure() is a FIREWALL error with nft's message and a hint that fits it", () => {
  const e = nftFailure("Cannot publish tcp 0.0.0.0:8080 -> 10.89.0.9:80", EXISTS);
  assert.equal(e.code, "FIREWALL");
  assert.equal(
    e.message,
    "Cannot publish tcp 0.0.0.0:8080 -> 10.89.0.9:80: nft: Error: Could not process rule: File exists | in: add element inet berth dnat_any { tcp . 8080 : 10.89.0.9 . 80 }",
  );
  assert.match(e.hint ?? "", /already published/);
  assert.match(nftFailure("x", "Error: Could not process rule: Operation not permitted").hint ?? "", /root/);
  assert.match(nftFailure("x", "Error: Could not process rule: No such file or directory").hint ?? "", /berth system reconcile/);
  assert.match(nftFailure("x", "Error: Could not process rule: Operation not supported").hint ?? "", /modprobe/);
  assert.ok(isNftNotFound("Error: No such file or directory\nlist table inet berth"));
});
