import { test } from "node:test";
import assert from "node:assert/strict";
import { adapterEnv, applyCallerEnv } from "./request-env.js";

test("a runtime's call keeps the service's PATH and takes only BERTH_* and CNI_* from the caller", () => {
  const env = adapterEnv(
    { PATH: "/usr/bin", BERTH_ROOT: "/old", HOME: "/root" },
    { BERTH_ROOT: "/new", CNI_COMMAND: "ADD", PATH: "/evil", LD_PRELOAD: "x.so" },
  );
  assert.deepEqual(env, { PATH: "/usr/bin", HOME: "/root", BERTH_ROOT: "/new", CNI_COMMAND: "ADD" });
});

test("a change runs with the caller's environment, and the service's comes back after", () => {
  process.env["BERTH_SERVICE_TEST_OWN"] = "own";
  const restore = applyCallerEnv({ BERTH_SERVICE_TEST_CALLER: "caller", PATH: "/nonexistent" }, undefined);
  assert.equal(process.env["BERTH_SERVICE_TEST_CALLER"], "caller");
  assert.equal(process.env["BERTH_SERVICE_TEST_OWN"], undefined);
  assert.equal(process.env["PATH"], "/nonexistent");
  restore();
  assert.equal(process.env["BERTH_SERVICE_TEST_OWN"], "own");
  assert.equal(process.env["BERTH_SERVICE_TEST_CALLER"], undefined);
  assert.notEqual(process.env["PATH"], "/nonexistent");
  delete process.env["BERTH_SERVICE_TEST_OWN"];
});
