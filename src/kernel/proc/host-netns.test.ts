import { test } from "node:test";
import assert from "node:assert/strict";
import { findHostNetns, type ProcView } from "./host-netns.js";

/** A /proc where each pid has a namespace inode (undefined: unreadable) and maybe is a kernel thread. */
function fakeProc(procs: Record<number, { ns: number | undefined; kthread?: boolean }>, self: number): ProcView {
  return {
    pids: () => Object.keys(procs).map(Number),
    netnsInode: (pid) => (pid === "self" ? self : procs[pid]?.ns),
    isKernelThread: (pid) => procs[pid]?.kthread === true,
    exeName: () => undefined,
  };
}

test("findHostNetns(): PID 1's namespace when it can be read", () => {
  assert.deepEqual(findHostNetns(fakeProc({ 1: { ns: 100 }, 2: { ns: 100, kthread: true }, 50: { ns: 200 } }, 200)), { inode: 100, how: "PID 1" });
});

test("findHostNetns(): a kernel thread's namespace when /proc/1/ns/net cannot be read (never a user process's)", () => {
  const h = findHostNetns(fakeProc({ 1: { ns: undefined }, 2: { ns: 100, kthread: true }, 3: { ns: 300 } }, 300));
  assert.deepEqual(h, { inode: 100, how: "kernel threads; /proc/1/ns/net cannot be read" });
});

test("findHostNetns(): unknown, with the reason, when neither PID 1 nor a kernel thread can be seen", () => {
  const h = findHostNetns(fakeProc({ 1: { ns: undefined }, 2: { ns: 300 }, 7: { ns: 300 } }, 300));
  assert.equal(h.inode, undefined);
  assert.match(h.how, /\/proc\/1\/ns\/net cannot be read and no kernel thread is visible/);
});
