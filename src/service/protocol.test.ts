import { test } from "node:test";
import assert from "node:assert/strict";
import { frame, LineReader, PROTOCOL_VERSION } from "./protocol.js";

test("lines split wherever the chunks break, and raw bytes follow a header", () => {
  const r = new LineReader();
  const header = frame({ v: PROTOCOL_VERSION, id: 3, result: { exitCode: 0, stdoutBytes: 5, stderrBytes: 0 } });
  const wire = Buffer.concat([Buffer.from(frame({ v: 1, id: 3, pending: true })), Buffer.from(header), Buffer.from("hé\n!")]);
  for (let i = 0; i < wire.length; i += 7) r.push(wire.subarray(i, i + 7));
  assert.deepEqual(JSON.parse(r.line() ?? ""), { v: 1, id: 3, pending: true });
  assert.deepEqual(JSON.parse(r.line() ?? ""), { v: 1, id: 3, result: { exitCode: 0, stdoutBytes: 5, stderrBytes: 0 } });
  assert.equal(r.take(5)?.toString(), "hé\n!", "bytes, newline and all, not lines");
  assert.equal(r.line(), undefined);
});

test("a frame is one line of JSON whatever its strings hold", () => {
  const f = frame({ v: 1, id: 1, method: "exec", params: { stdin: "a\nb" } });
  assert.equal(f.indexOf("\n"), f.length - 1);
});
