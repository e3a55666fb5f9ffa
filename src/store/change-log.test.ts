import { test } from "node:test";
import assert from "node:assert/strict";
import { ChangeLog } from "./change-log.js";

test("ChangeLog hands over what was touched once, and takes back what a borrower gives back", () => {
  const log = new ChangeLog();
  log.container("a");
  log.container("b");
  log.container("a");
  const first = log.take();
  assert.deepEqual([...first.containers], ["a", "b"]);
  assert.equal(first.networks, false);
  assert.deepEqual([...log.take().containers], [], "taken: nothing left");
  log.network();
  const second = log.take();
  assert.equal(second.networks, true);
  log.container("c");
  log.add(first);
  log.add(second);
  const back = log.take();
  assert.deepEqual([...back.containers].sort(), ["a", "b", "c"]);
  assert.equal(back.networks, true);
});
