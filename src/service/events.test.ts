import { test } from "node:test";
import assert from "node:assert/strict";
import { diff, EventStream, type BerthEvent, type ContainerFacts, type Snapshot } from "./events.js";
import { FakeEngine } from "../engine/testing/fake-engine.js";
import { createNetwork } from "../engine/commands/network-create.js";
import { runningContainerRecord } from "../model/container.js";
import { Store } from "../store/index.js";

function snap(parts: Partial<Snapshot>): Snapshot {
  return { networks: new Map(), containers: new Map(), ...parts };
}

const api: ContainerFacts = {
  name: "api",
  attachments: new Map([["n1", "10.89.0.2"]]),
  ports: new Map([["tcp 0.0.0.0 8080", { proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80 }]]),
};

test("a run on a new network reads as create, attach, publish; its removal as unpublish, detach, remove", () => {
  const empty = snap({});
  const full = snap({ networks: new Map([["n1", { name: "web", driver: "bridge" }]]), containers: new Map([["c1", api]]) });
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
  const s = snap({ networks: new Map([["n1", { name: "web", driver: "bridge" }]]), containers: new Map([["c1", api]]) });
  assert.deepEqual(diff(s, s), []);
});

function said(events: BerthEvent[]): string[] {
  return events.splice(0).map((e) => `${e.Status} ${e.Name} ${Object.values(e.Attributes).join(" ")}`);
}

test("the stream compares only what the change touched, and the whole store after another process's change", () => {
  const f = new FakeEngine();
  const store = f.engine.store;
  const other = Store.open(f.paths.db);
  try {
    const net = createNetwork(f.engine, { name: "web", subnet: "10.89.0.0/24" });
    const place = (s: Store, id: string, name: string, ip: string, port: number) =>
      s.write(() => {
        s.containers.insert(runningContainerRecord(id, name, {}));
        s.attachments.insert({
          containerId: id,
          networkId: net.id,
          ifname: "eth0",
          hostVeth: `veth-${name}`,
          ip,
          ip6: undefined,
          mac: "02:00:00:00:00:01",
          aliases: [],
          staticIp: false,
          staticIp6: false,
        });
        s.ports.insert(id, { proto: "tcp", hostIp: "0.0.0.0", hostPort: port, containerPort: 80 });
      });
    for (let i = 0; i < 20; i++) place(store, `${i}`.padStart(64, "0"), `bystander${i}`, `10.89.0.${10 + i}`, 9000 + i);

    const stream = new EventStream();
    const events: BerthEvent[] = [];
    const stop = stream.follow(f.engine, (e) => events.push(e));
    let wholeReads = 0;
    const list = store.containers.list.bind(store.containers);
    store.containers.list = () => {
      wholeReads++;
      return list();
    };

    place(store, "a".repeat(64), "api", "10.89.0.2", 8080);
    stream.changed();
    assert.deepEqual(said(events), ["attach api web 10.89.0.2", "publish api tcp 0.0.0.0 8080 80"]);
    store.write(() => store.ports.deleteOne({ proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080 }));
    stream.changed();
    assert.deepEqual(said(events), ["unpublish api tcp 0.0.0.0 8080 80"], "a port deleted by its address is its holder's change");
    stream.changed();
    assert.deepEqual(said(events), [], "a view in between: nothing to say");
    assert.equal(wholeReads, 0, "this process's own changes never read the whole store");

    place(other, "b".repeat(64), "outsider", "10.89.0.3", 8081);
    stream.changed();
    assert.deepEqual(
      said(events),
      ["attach outsider web 10.89.0.3", "publish outsider tcp 0.0.0.0 8081 80"],
      "another process's change, with the next one here",
    );
    assert.equal(wholeReads, 1);

    store.write(() => {
      store.ports.deleteForContainer("a".repeat(64));
      store.attachments.delete("a".repeat(64), net.id);
      store.containers.delete("a".repeat(64));
    });
    stream.changed();
    assert.deepEqual(said(events), ["detach api web 10.89.0.2"], "a removed container's name comes from before");
    stop();
    place(store, "c".repeat(64), "unseen", "10.89.0.4", 8082);
    stream.changed();
    assert.deepEqual(said(events), [], "nobody follows: nothing compared");
  } finally {
    other.close();
    f.close();
  }
});
