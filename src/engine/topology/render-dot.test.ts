import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore } from "./fixture.js";
import { dotQuote, renderDot } from "./render-dot.js";

/** Tokens of dot text: quoted strings (escapes kept), punctuation, bare words. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /\s+|"((?:[^"\\]|\\.)*)"|(->|[{}\[\];=,])|([A-Za-z0-9_.#]+)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[0].trim() !== "") out.push(m[0]);
  }
  assert.equal(re.lastIndex, text.length, `unlexable dot near: ${text.slice(re.lastIndex, re.lastIndex + 40)}`);
  return out;
}

test("renderDot(): syntactically sane — one digraph, balanced braces and brackets, every edge between declared nodes", () => {
  const g = buildTopology(fakeKernel(), fakeStore());
  const dot = renderDot(g);
  const t = tokens(dot);
  assert.deepEqual(t.slice(0, 3), ["digraph", "berth", "{"]);
  assert.equal(t.at(-1), "}");
  let depth = 0;
  let brackets = 0;
  for (const x of t) {
    if (x === "{") depth++;
    if (x === "}") depth--;
    if (x === "[") brackets++;
    if (x === "]") brackets--;
    assert.ok(depth >= 0 && brackets >= 0 && brackets <= 1);
  }
  assert.equal(depth, 0);
  assert.equal(brackets, 0);
  const declared = new Set([...dot.matchAll(/^\s*("(?:[^"\\]|\\.)*") \[label=/gm)].map((m) => m[1]));
  for (const m of dot.matchAll(/^\s*("(?:[^"\\]|\\.)*") -> ("(?:[^"\\]|\\.)*")/gm)) {
    assert.ok(declared.has(m[1]) && declared.has(m[2]), `edge ${m[0]} joins declared nodes`);
  }
  assert.equal((dot.match(/subgraph "cluster_/g) ?? []).length, 4, "the host and three container namespaces");
  assert.match(dot, /"veth:bthdeadbeef0" \[label="bthdeadbeef0\\nPROBLEM: orphan veth[^"]*".*color="red"/);
});

test("dotQuote() escapes quotes, backslashes and newlines", () => {
  assert.equal(dotQuote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  assert.deepEqual(tokens(`x [label=${dotQuote('we"ird\\')}];`), ["x", "[", "label", "=", '"we\\"ird\\\\"', "]", ";"]);
});
