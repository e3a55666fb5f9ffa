import { test } from "node:test";
import assert from "node:assert/strict";
import { activationFds } from "./activation.js";

test("activationFds() takes nothing meant for another process", () => {
  assert.deepEqual(activationFds({ LISTEN_PID: "7", LISTEN_FDS: "1" }, 8), {});
  assert.deepEqual(activationFds({}, 8), {});
  assert.deepEqual(activationFds({ LISTEN_PID: "8", LISTEN_FDS: "x" }, 8), {});
});

test("activationFds() finds the API socket unnamed or by berth.socket's name, and the Docker plugin's by its name", () => {
  assert.deepEqual(activationFds({ LISTEN_PID: "8", LISTEN_FDS: "1" }, 8), { api: 3 });
  assert.deepEqual(activationFds({ LISTEN_PID: "8", LISTEN_FDS: "2", LISTEN_FDNAMES: "berth.socket:docker-plugin" }, 8), { api: 3, dockerPlugin: 4 });
  assert.deepEqual(activationFds({ LISTEN_PID: "8", LISTEN_FDS: "2", LISTEN_FDNAMES: "docker-plugin:berth.socket" }, 8), { api: 4, dockerPlugin: 3 });
  assert.deepEqual(activationFds({ LISTEN_PID: "8", LISTEN_FDS: "1", LISTEN_FDNAMES: "docker-plugin" }, 8), { dockerPlugin: 3 });
});
