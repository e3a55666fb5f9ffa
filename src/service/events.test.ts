import { test } from "node:test";
import assert from "node:assert/strict";
import { diff, type Snapshot } from "./events.js";

function snap(parts: Partial<Snapshot>): Snapshot {
  return { networks: new Map(), attachments: new Map(), ports: new Map(), containerNames: new Map(), ...parts };
}

test("a run on a new network reads as create, attach, publish; its removal as unpublish, detach, remove", () => {
  const empty = snap({});
  const full = snap({
    networks: new Map([["n1", { name: "web", driver: "bridge" }]]),
    attachments: new Map([["c1 n1", { containerId: "c1", networkId: "n1", ip: "10.89.0.2" }]]),
    ports: new Map([["tcp 0.0.0.0 8080", { containerId: "c1", proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80 }]]),
    containerNames: new Map([["c1", "api"]]),
  });
  const up = diff(empty, full).map((e) => `${e.Type} ${e.Status} ${e.Name}`);
  assert.deepEqual(up, ["network create web", "container attach api", "container publish api"]);
  const down = diff(full, empty);
  assert.deepEqual(
    down.map((e) => `${e.Type} ${e.Status} ${e.Name}`),
    ["container unpublish api", "container detach api", "network remove web"],
    "names come from the snapshot before, when the container is gone",
  );
  assert.deepEqual(down[0]?.Attributes, { proto: "tcp", hostIp: "0.0.0.0", hostPort: "8080", containerPort: "80" });
  assert.deepEqual(down[1]?.Attributes, { network: "web", address: "10.89.0.2" });
});

test("nothing changed, nothing said", () => {
  const s = snap({ networks: new Map([["n1", { name: "web", driver: "bridge" }]]) });
  assert.deepEqual(diff(s, s), []);
});
