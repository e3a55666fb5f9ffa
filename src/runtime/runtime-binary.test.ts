import { test } from "node:test";
import assert from "node:assert/strict";
import { findExecutable, findRuntimeBinary } from "./runtime-binary.js";
import { BerthError } from "../errors.js";

test("findRuntimeBinary() uses BERTH_RUNTIME, as a path or a name on PATH", () => {
  assert.equal(findRuntimeBinary({ BERTH_RUNTIME: "/bin/sh", PATH: "" }), "/bin/sh");
  assert.match(findRuntimeBinary({ BERTH_RUNTIME: "sh", PATH: "/usr/bin:/bin" }), /\/sh$/);
});

test("findRuntimeBinary() fails with MISSING_DEPENDENCY when BERTH_RUNTIME names nothing", () => {
  assert.throws(
    () => findRuntimeBinary({ BERTH_RUNTIME: "/nonexistent/runc" }),
    (e: unknown) => e instanceof BerthError && e.code === "MISSING_DEPENDENCY" && e.message.includes("/nonexistent/runc"),
  );
});

test("findRuntimeBinary() without BERTH_RUNTIME picks runc, else crun", () => {
  const runc = findExecutable("runc", { PATH: "" });
  const crun = findExecutable("crun", { PATH: "" });
  if (!runc && !crun) {
    assert.throws(
      () => findRuntimeBinary({ PATH: "" }),
      (e: unknown) => e instanceof BerthError && e.code === "MISSING_DEPENDENCY",
    );
    return;
  }
  assert.equal(findRuntimeBinary({ PATH: "" }), runc ?? crun);
});
