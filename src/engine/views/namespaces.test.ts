import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine } from "../context.js";
import type { ProcView } from "../../kernel/proc/host-netns.js";
import { listNamespaces, otherNamedNamespaces } from "./namespaces.js";

/**
 * A namespace directory without root: a symlink to this process's own
 * /proc/self/ns/net is a live namespace file (nsfs), a plain file a stale
 * one. The fake /proc puts PID 1 in another namespace, so ours is not the
 * host's.
 */
function setup(containers: (dir: string) => { name: string; netns: string; status: string }[] = () => []) {
  const dir = mkdtempSync(join(tmpdir(), "berth-ns-"));
  symlinkSync("/proc/self/ns/net", join(dir, "xns0"));
  writeFileSync(join(dir, "gone"), "");
  writeFileSync(join(dir, "berth-0123456789ab"), "");
  const proc: ProcView = {
    pids: () => [1],
    netnsInode: (pid) => (pid === 1 ? 1 : undefined),
    isKernelThread: () => false,
    exeName: () => "init",
  };
  const engine = {
    paths: { netnsDir: dir },
    store: { containers: { list: () => containers(dir).map((c) => ({ ...c, mode: "bridge" })) } },
  } as unknown as Engine;
  const sources = { proc, netnsDirs: [dir] };
  /** The other named namespaces: [file name, stale], sorted. */
  const others = () =>
    otherNamedNamespaces(engine, sources)
      .map((v) => [v.path?.slice(dir.length + 1), v.stale === true])
      .sort();
  return { dir, engine, sources, others, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("otherNamedNamespaces(): named files no Berth container uses, stale ones too; a container's file (even exited) is left out", () => {
  const plain = setup();
  const exited = setup((dir) => [{ name: "old", netns: join(dir, "berth-0123456789ab"), status: "exited" }]);
  try {
    assert.deepEqual(plain.others(), [
      ["berth-0123456789ab", true],
      ["gone", true],
      ["xns0", false],
    ]);
    assert.deepEqual(exited.others(), [
      ["gone", true],
      ["xns0", false],
    ]);
  } finally {
    plain.cleanup();
    exited.cleanup();
  }
});

test("otherNamedNamespaces(): a namespace a running container uses is Berth's; listNamespaces() still lists it", () => {
  const t = setup((dir) => [{ name: "web", netns: join(dir, "xns0"), status: "running" }]);
  const plain = setup();
  try {
    const live = join(t.dir, "xns0");
    assert.ok(!t.others().some(([f]) => f === "xns0"));
    assert.match(listNamespaces(t.engine, t.sources).find((v) => v.path === live)?.usedBy ?? "", /container web/);
    assert.equal(listNamespaces(plain.engine, plain.sources).find((v) => v.path === join(plain.dir, "xns0"))?.usedBy, "named namespace");
  } finally {
    t.cleanup();
    plain.cleanup();
  }
});
