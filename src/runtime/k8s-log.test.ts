import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeK8sLog } from "./k8s-log.js";

const LOG = [
  "2026-11-29T01:10:29.620222662+00:00 stdout F hello",
  "2026-11-29T01:10:29.621033214+00:00 stderr F oops",
  "2026-11-29T01:10:29.700000000+00:00 stdout P part one, ",
  "2026-11-29T01:10:29.700000001+00:00 stdout F part two",
  "2026-11-29T01:10:29.800000000+00:00 stdout F ",
  "2026-11-29T01:10:29.900000000+00:00 stdout F  two  spaces ",
  "garbage line",
  "",
].join("\n");

test("decodeK8sLog() joins partial lines and restores newlines", () => {
  assert.equal(decodeK8sLog(LOG), "hello\noops\npart one, part two\n\n two  spaces \n");
});

test("decodeK8sLog() can pick one stream", () => {
  assert.equal(decodeK8sLog(LOG, { stdout: false }), "oops\n");
  assert.equal(decodeK8sLog(LOG, { stderr: false }), "hello\npart one, part two\n\n two  spaces \n");
});

test("decodeK8sLog() keeps a terminal's carriage returns", () => {
  assert.equal(
    decodeK8sLog("2026-11-29T01:15:08.297934841+00:00 stdout F /dev/pts/0\r\n2026-11-29T01:15:08.298109571+00:00 stdout F hi\r\n"),
    "/dev/pts/0\r\nhi\r\n",
  );
});

test("decodeK8sLog() of an empty log is empty", () => {
  assert.equal(decodeK8sLog(""), "");
});
