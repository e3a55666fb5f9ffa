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

test("a reader of its own sees every change once, whatever the owner takes, until it is closed", () => {
  const log = new ChangeLog();
  log.container("before");
  const reader = log.reader();
  log.container("a");
  log.network();
  assert.deepEqual([...log.take().containers], ["before", "a"]);
  log.container("b");
  const seen = reader.take();
  assert.deepEqual([...seen.containers], ["a", "b"], "from its start on, the owner's take() left it");
  assert.equal(seen.networks, true);
  assert.deepEqual([...reader.take().containers], []);
  log.add({ containers: new Set(["given back"]), networks: false });
  assert.deepEqual([...reader.take().containers], [], "what a dry run gives back is the owner's");
  reader.close();
  log.container("c");
  assert.deepEqual([...reader.take().containers], [], "closed: nothing noted");
  assert.deepEqual([...log.take().containers], ["b", "given back", "c"]);
});
