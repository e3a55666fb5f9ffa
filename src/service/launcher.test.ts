import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SERVICE_NODE_FLAGS, serviceEnv } from "./launcher.js";

test("the systemd unit starts the service with the flags a client starts it with", () => {
  const unit = readFileSync(new URL("../../../contrib/systemd/berth.service", import.meta.url), "utf8");
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(" ") ?? [];
  assert.deepEqual(execStart.slice(1, -1), [...SERVICE_NODE_FLAGS]);
  assert.match(unit, /^Environment=NODE_OPTIONS=$/m, "and without NODE_OPTIONS");
});

test("serviceEnv() keeps what decides what the service serves and drops the caller's NODE_OPTIONS", () => {
  const env = serviceEnv({ BERTH_ROOT: "/tmp/x", PATH: "/usr/bin", NODE_OPTIONS: "--inspect" });
  assert.deepEqual(env, { BERTH_ROOT: "/tmp/x", PATH: "/usr/bin" });
});
