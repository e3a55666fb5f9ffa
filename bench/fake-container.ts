import type { Engine } from "../src/engine/context.js";
import { newId, netnsPath } from "../src/engine/network/names.js";
import { netnsCreate } from "../src/kernel/index.js";
import type { Container } from "../src/model/container.js";

/** The store row of a running container without a process, whose namespace is `netns`. */
export function containerRow(name: string, netns: string, id = newId()): Container {
  return {
    id,
    name,
    command: ["sleep"],
    hostname: name,
    mode: "bridge",
    modeTarget: undefined,
    netns,
    rootfs: undefined,
    autoRemove: false,
    detached: true,
    dns: { servers: [], search: [], options: [] },
    extraHosts: [],
    networks: [],
    status: "running",
    ownerPid: undefined,
    pid: undefined,
    exitCode: undefined,
    created: new Date().toISOString(),
    started: undefined,
    finished: undefined,
    managedBy: undefined,
  };
}

/** A running container's row and a real namespace for it, without a process: what the attach benches attach. */
export function fakeContainer(engine: Engine, name: string): Container {
  const id = newId();
  const c = containerRow(name, netnsPath(engine.paths, id), id);
  netnsCreate(c.netns ?? "");
  engine.store.write(() => engine.store.containers.insert(c));
  return c;
}
