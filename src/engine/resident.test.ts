import { test } from "node:test";
import assert from "node:assert/strict";
import { afterTheCaller } from "./resident.js";

test("afterTheCaller outside a resident process runs the work at once, never its background variant", () => {
  const seen: string[] = [];
  afterTheCaller(
    () => seen.push("now"),
    () => {
      seen.push("background");
      return Promise.resolve();
    },
  );
  assert.deepEqual(seen, ["now"]);
});
