import { test } from "node:test";
import assert from "node:assert/strict";
import { acquireSingleton } from "./singleton.js";

test("acquireSingleton() lets one holder in per directory, and the next one in once it lets go", async () => {
  const dir = `/tmp/berth-singleton-test-${process.pid}`;
  const first = await acquireSingleton(dir);
  assert.ok(first);
  assert.equal(await acquireSingleton(dir, 100), undefined, "taken");
  assert.ok(await acquireSingleton(`${dir}-other`, 100).then((s) => (s?.close(), s !== undefined)), "another directory is another lock");
  const waiting = acquireSingleton(dir, 2000);
  setTimeout(() => first.close(), 100);
  const second = await waiting;
  assert.ok(second, "acquired after the holder closed");
  second.close();
});
