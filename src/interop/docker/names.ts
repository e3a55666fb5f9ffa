import { basename } from "node:path";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

/** The owner Berth records Docker's sandboxes under (`managed_by`). */
export const DOCKER_OWNER = "docker";

/** Berth's name for the network Docker knows by `networkId`. */
export function berthNetworkName(networkId: string): string {
  return `docker-${networkId.slice(0, 12)}`;
}

/** The bridge of a Docker network on Berth's driver, unless `com.docker.network.bridge.name` names one. */
export function defaultBridgeName(networkId: string): string {
  return `bd-${networkId.slice(0, 12)}`;
}

/** The container end of an endpoint's veth while it waits in the host's namespace for dockerd to move it. */
export function handoverName(endpointId: string): string {
  return `bdc${endpointId.slice(0, 12)}`;
}

/** Whether `ifname` is still a `handoverName`: dockerd moves the interface first and renames it after. */
export function isHandoverName(ifname: string): boolean {
  return /^bdc[0-9a-f]{12}$/.test(ifname);
}

/**
 * The MAC address of an endpoint, from its id: locally administered, and
 * the same every time, so that after a restart of the plugin the endpoint
 * is found again by its MAC on the network.
 */
export function endpointMac(endpointId: string): string {
  const hex = endpointId.slice(0, 10);
  return ["02", hex.slice(0, 2), hex.slice(2, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10)].join(":");
}

/**
 * The sandbox a Join names: dockerd's network namespace path
 * (<exec-root>/netns/<12 hex of the sandbox id>). Its file name is Berth's
 * id for the sandbox; one sandbox (one container) holds all its endpoints.
 */
export function sandboxIdOf(sandboxKey: string): string {
  const id = basename(sandboxKey);
  if (!/^[0-9a-f]{12,64}$/.test(id) || !sandboxKey.startsWith("/")) {
    throw new BerthError("INVALID_ARGUMENT", `Unexpected Docker sandbox key "${printable(sandboxKey)}"`, {
      hint: "dockerd names a container's network namespace <exec-root>/netns/<sandbox id>; this one does not look like that",
    });
  }
  return id;
}

/** The container's name in Berth (`berth ps`): Docker does not tell a network driver the container's own name. */
export function sandboxName(sandboxId: string): string {
  return `docker-${sandboxId.slice(0, 12)}`;
}
