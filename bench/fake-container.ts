import type { Engine } from "../src/engine/context.js";
import { newId, netnsPath } from "../src/engine/network/names.js";
import { netnsCreate } from "../src/kernel/index.js";
import { runningContainerRecord, type Container } from "../src/model/container.js";

/** The store row of a running container without a process, whose namespace is `netns`. */
export function containerRow(name: string, netns: string, id = newId()): Container {
  return runningContainerRecord(id, name, { netns, created: new Date().toISOString() });
}

/** A running container's row and a real namespace for it, without a process: what the attach benches attach. */
export function fakeContainer(engine: Engine, name: string): Container {
  const id = newId();
  const c = containerRow(name, netnsPath(engine.paths, id), id);
  netnsCreate(c.netns ?? "");
  engine.store.write(() => engine.store.containers.insert(c));
  return c;
}
