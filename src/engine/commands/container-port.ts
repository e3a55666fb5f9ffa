import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { StoredPort } from "../../store/index.js";
import { BerthError } from "../../errors.js";
import { requireContainer } from "../network/network-lookup.js";

/** A container and the ports it publishes. */
export interface ContainerPorts {
  readonly container: Container;
  readonly ports: readonly StoredPort[];
}

/** `berth port --all`: every running container with the ports it publishes. */
export function runningContainerPorts(engine: Engine): ContainerPorts[] {
  return engine.store.containers
    .list()
    .filter((c) => c.status === "running")
    .map((c) => ({ container: c, ports: engine.store.ports.forContainer(c.id) }));
}

/**
 * `berth port NAME [CPORT[/proto]]`: the ports a container publishes, or
 * only those of one container port (`8080`, `53/udp`; the protocol is tcp
 * when not given), which must be published.
 */
export function containerPorts(engine: Engine, nameOrId: string, port?: string): ContainerPorts {
  const c = requireContainer(engine, nameOrId);
  const ports = engine.store.ports.forContainer(c.id);
  if (port === undefined) return { container: c, ports };
  const [num = "", proto = "tcp"] = port.split("/");
  const hits = ports.filter((p) => String(p.containerPort) === num && p.proto === proto);
  if (hits.length === 0) {
    throw new BerthError("INVALID_ARGUMENT", `Container "${c.name}" does not publish port ${num}/${proto}`, {
      hint: `See its ports with \`berth port ${c.name}\``,
    });
  }
  return { container: c, ports: hits };
}
