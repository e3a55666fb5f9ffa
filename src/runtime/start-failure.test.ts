import { test } from "node:test";
import assert from "node:assert/strict";
import { startFailure } from "./start-failure.js";

test("a command the runtime cannot find or run is told apart from Berth's own failures", () => {
  const notFound = startFailure('runc run failed: unable to start container process: exec: "nonexist": executable file not found in $PATH');
  assert.equal(notFound?.code, "COMMAND_NOT_FOUND");
  assert.match(notFound?.message ?? "", /command "nonexist" not found: executable file not found in \$PATH/);
  // as conmon passes runc's message on: quotes escaped
  const viaConmon = startFailure(
    'time="2026-12-06T02:15:12Z" level=error msg="runc create failed: unable to start container process: exec: \\"/nope\\": stat /nope: no such file or directory"',
  );
  assert.equal(viaConmon?.code, "COMMAND_NOT_FOUND");
  assert.match(viaConmon?.message ?? "", /command "\/nope"/);
  assert.equal(startFailure('exec: "/etc/hostname": permission denied')?.code, "COMMAND_NOT_INVOKABLE");
  assert.equal(startFailure("runc run failed: cgroup: no space left"), undefined);
});
