import { test } from "node:test";
import assert from "node:assert/strict";
import { isBerthError } from "../../errors.js";
import { networkOwner, refuseForeignNetwork } from "./foreign.js";

const dockerNet = { name: "docker-f6cddf90f3d9", labels: { "com.docker.network.id": "f6cddf90f3d9aa11bb22cc33dd44ee55ff6677889900aabbccddeeff00112233" } };

test("networkOwner() names Docker and the command that removes Docker's network; Berth's own networks have none", () => {
  assert.deepEqual(networkOwner(dockerNet), { owner: "docker", removeCommand: "docker network rm f6cddf90f3d9" });
  assert.equal(networkOwner({ labels: { team: "a" } }), undefined);
});

test("refuseForeignNetwork() refuses Docker's network with MANAGED_ELSEWHERE and the docker command, unless forced", () => {
  assert.throws(
    () => refuseForeignNetwork(dockerNet, { force: false }),
    (e: unknown) =>
      isBerthError(e) &&
      e.code === "MANAGED_ELSEWHERE" &&
      e.message === 'Cannot remove network "docker-f6cddf90f3d9": docker made it with Berth\'s driver and still uses it' &&
      (e.hint ?? "").startsWith("Remove it with docker: `docker network rm f6cddf90f3d9`"),
  );
  refuseForeignNetwork(dockerNet, { force: true });
  refuseForeignNetwork({ name: "web", labels: {} }, { force: false });
});
