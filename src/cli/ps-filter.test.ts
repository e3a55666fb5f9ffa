import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePsFilters, psFilterMatches } from "./ps-filter.js";
import { tailLines } from "../engine/index.js";
import { BerthError } from "../errors.js";

const web = { name: "web1", id: "abcdef0123", networks: ["front", "back"], status: "running", labels: { app: "shop" } };

test("ps --filter: name is a regular expression, keys must all match, values of one key any", () => {
  const m = (...f: string[]) => psFilterMatches(parsePsFilters(f), web);
  assert.equal(m("name=web"), true);
  assert.equal(m("name=^web$"), false);
  assert.equal(m("network=back"), true);
  assert.equal(m("network=other"), false);
  assert.equal(m("status=running", "network=front"), true);
  assert.equal(m("status=exited", "network=front"), false);
  assert.equal(m("status=exited", "status=running"), true);
  assert.equal(m("label=app=shop", "id=abc"), true);
  assert.equal(m("label=app=other"), false);
  assert.throws(
    () => parsePsFilters(["colour=red"]),
    (e: unknown) => e instanceof BerthError && /Invalid --filter "colour=red"/.test(e.message),
  );
  assert.throws(
    () => parsePsFilters(["status=sleeping"]),
    (e: unknown) => e instanceof BerthError && /status "sleeping"/.test(e.message),
  );
});

test("logs --tail N keeps the last N lines", () => {
  assert.equal(tailLines("a\nb\nc\n", 2), "b\nc\n");
  assert.equal(tailLines("a\nb\nc", 1), "c");
  assert.equal(tailLines("a\nb\n", -1), "a\nb\n");
  assert.equal(tailLines("a\nb\n", 0), "");
  assert.equal(tailLines("", 3), "");
});
