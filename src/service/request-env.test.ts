import { test } from "node:test";
import assert from "node:assert/strict";
import { adapterEnv, applyCallerEnv } from "./request-env.js";

test("a runtime's call keeps the service's PATH and takes only BERTH_*, CNI_*, RUST_LOG and DBUS_SYSTEM_BUS_ADDRESS from the caller", () => {
  const env = adapterEnv(
    { PATH: "/usr/bin", BERTH_ROOT: "/old", HOME: "/root", DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/service" },
    { BERTH_ROOT: "/new", CNI_COMMAND: "ADD", PATH: "/evil", LD_PRELOAD: "x.so", DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/caller" },
  );
  assert.deepEqual(env, { PATH: "/usr/bin", HOME: "/root", BERTH_ROOT: "/new", CNI_COMMAND: "ADD", DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/caller" });
  // a caller without it asks the default system bus, not the one the service was started with
  assert.equal(adapterEnv({ DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/service" }, {})["DBUS_SYSTEM_BUS_ADDRESS"], undefined);
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
