import type { Network } from "../../model/network.js";
import type { Container } from "../../model/container.js";

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
  return {
    id: `${name}-id`,
    name,
    command: ["sleep", "600"],
    hostname: name,
    mode: "bridge",
    modeTarget: undefined,
    netns: `/run/netns/berth-${name}`,
    rootfs: undefined,
    autoRemove: false,
    detached: true,
    dns: { servers: [], search: [], options: [] },
    extraHosts: [],
    networks: [],
    status: "running",
    ownerPid: undefined,
    pid: 1234,
    exitCode: undefined,
    created: "2026-01-01T00:00:00Z",
    started: undefined,
    finished: undefined,
    managedBy: undefined,
    ...over,
  };
}
