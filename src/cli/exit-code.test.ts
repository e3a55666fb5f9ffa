import { test } from "node:test";
import assert from "node:assert/strict";
import { exitCodeOf } from "./program.js";
import { BerthError } from "../errors.js";

test("exit codes are Podman's: 127 command not found, 126 cannot be invoked, 125 Berth's own errors", () => {
  assert.equal(exitCodeOf(new BerthError("COMMAND_NOT_FOUND", "x")), 127);
  assert.equal(exitCodeOf(new BerthError("COMMAND_NOT_INVOKABLE", "x")), 126);
  assert.equal(exitCodeOf(new BerthError("RUNTIME", "x")), 125);
});
