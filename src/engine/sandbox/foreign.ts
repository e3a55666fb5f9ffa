import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { BerthError } from "../../errors.js";

/** Whether another engine (Podman, a CNI runtime) owns the container; Berth only made its network. */
export function isForeign(c: Container): boolean {
  return c.managedBy !== undefined;
}

/** Berth's lifecycle verbs (rm, stop, connect, exec...) do not act on another engine's containers. */
export function refuseForeign(c: Container, verb: string): void {
  if (c.managedBy === undefined) return;
  throw new BerthError("MANAGED_ELSEWHERE", `Cannot ${verb} container "${c.name}": it is managed by ${c.managedBy}, Berth only provides its network`, {
    hint: foreignHint(c, verb),
  });
}

function foreignHint(c: Container, verb: string): string {
  if (c.managedBy === "podman") return `Use podman for it (e.g. \`podman ${verb === "remove" ? "rm -f" : verb} ${c.name}\`)`;
  if (c.managedBy === DOCKER) {
    // Docker never tells a network driver the container's name: its sandbox id names the namespace
    const sandbox = c.id.slice(0, 12);
    return `Use docker for it (e.g. \`docker ${verb === "remove" ? "rm -f" : verb} CONTAINER\`), the container whose \`docker inspect -f '{{.NetworkSettings.SandboxKey}}'\` ends in ${sandbox}`;
  }
  return `Use ${c.managedBy ?? "its engine"} for it`;
}

const DOCKER = "docker";
/** The label Docker's networks on Berth's driver carry (interop/docker): dockerd made them and still uses them. */
export const DOCKER_NETWORK_LABEL = "com.docker.network.id";

/** The engine that made a network through Berth's driver, and the command that removes it there; undefined for Berth's own and adopted networks. */
export function networkOwner(net: Pick<Network, "labels">): { readonly owner: string; readonly removeCommand: string } | undefined {
  const dockerId = net.labels[DOCKER_NETWORK_LABEL];
  if (dockerId !== undefined) return { owner: DOCKER, removeCommand: `docker network rm ${dockerId.slice(0, 12)}` };
  return undefined;
}

/**
 * `berth network rm` does not remove a network another engine made through
 * Berth's driver (a `docker network create -d berth`): that engine still
 * has it and would keep attaching containers to a network that is gone.
 * `force` removes it anyway, for when the engine no longer knows it.
 */
export function refuseForeignNetwork(net: Pick<Network, "name" | "labels">, opts: { force: boolean }): void {
  const o = networkOwner(net);
  if (o === undefined || opts.force) return;
  throw new BerthError("MANAGED_ELSEWHERE", `Cannot remove network "${net.name}": ${o.owner} made it with Berth's driver and still uses it`, {
    hint: `Remove it with ${o.owner}: \`${o.removeCommand}\` (Berth's driver then removes its bridge); \`berth network rm -f ${net.name}\` only if ${o.owner} no longer has the network`,
  });
}

/**
 * A foreign sandbox whose owner vanished without a teardown (a crash, a
 * reboot): its namespace file is gone and none of its veths exist, so there
 * is nothing left in the kernel to lose by forgetting it.
 */
export function sandboxIsGone(engine: Engine, c: Container): boolean {
  if (c.managedBy === undefined) return false;
  if (c.netns !== undefined && engine.kernel.netnsExists(c.netns)) return false;
  return engine.store.attachments.forContainer(c.id).every((a) => engine.host.linkByName(a.hostVeth) === undefined);
}
