import type { Network } from "../../model/network.js";
import { runningContainerRecord, type Container } from "../../model/container.js";

/** A network as the store returns it, for unit tests. */
export function net(name: string, over: Partial<Network> = {}): Network {
  return {
    id: `${name}-id`,
    name,
    driver: "bridge",
    bridge: "berth1",
    subnet: "10.89.0.0/24",
    gateway: "10.89.0.1",
    ipRange: undefined,
    subnet6: undefined,
    gateway6: undefined,
    driverOptions: {},
    internal: false,
    dnsEnabled: true,
    isolate: true,
    mtu: undefined,
    labels: {},
    dnsServers: [],
    created: "2026-01-01T00:00:00Z",
    managedBy: undefined,
    ...over,
  };
}

/** A container as the store returns it, for unit tests. */
export function ctr(name: string, over: Partial<Container> = {}): Container {
  return runningContainerRecord(`${name}-id`, name, { netns: `/run/netns/berth-${name}`, pid: 1234, ...over });
}
