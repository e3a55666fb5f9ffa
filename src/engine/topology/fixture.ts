// A hand-built host for the topology unit tests: the seed's multi-network
// scenario (frontend + backend, a container on both, one publishing a port,
// one with --network none) plus an orphan veth, as kernel and store see it.
// withOthers() adds what other tools made: docker0 with a container's veth
// on it, a down virbr0, an `ip netns add` namespace and a stale netns file.
import type { Link } from "../../kernel/index.js";
import { runningContainerRecord, type Attachment, type Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import type { KernelSnapshot, NamespaceSnapshot, StoreSnapshot } from "./snapshot.js";

const ID = { web: "a1".repeat(32), both: "b2".repeat(32), lonely: "c3".repeat(32), front: "f0".repeat(32), back: "e0".repeat(32) };
export const NETNS = {
  web: `/run/netns/berth-${ID.web.slice(0, 12)}`,
  both: `/run/netns/berth-${ID.both.slice(0, 12)}`,
  lonely: `/run/netns/berth-${ID.lonely.slice(0, 12)}`,
};

/** A link of the fixtures' kernel: up, MTU 1500, a MAC from its index unless `more` names one. */
export function link(index: number, name: string, more: Partial<Link> = {}): Link {
  return {
    index,
    name,
    kind: undefined,
    mtu: 1500,
    mac: `02:00:00:00:00:${index.toString(16).padStart(2, "0")}`,
    up: true,
    masterIndex: undefined,
    peerIndex: undefined,
    peerNetnsId: undefined,
    alias: undefined,
    ...more,
  };
}

function network(id: string, name: string, bridge: string, subnet: string, gateway: string): Network {
  return {
    id,
    name,
    driver: "bridge",
    bridge,
    subnet,
    gateway,
    ipRange: undefined,
    subnet6: undefined,
    gateway6: undefined,
    driverOptions: {},
    internal: false,
    dnsEnabled: true,
    isolate: false,
    mtu: undefined,
    labels: {},
    dnsServers: [],
    created: "2026-01-01T00:00:00Z",
    managedBy: undefined,
  };
}

function container(id: string, name: string, mode: Container["mode"], netns: string | undefined, networks: string[]): Container {
  return runningContainerRecord(id, name, { mode, netns, networks: networks.map((network) => ({ network })), pid: 100 });
}

function attachment(containerId: string, networkId: string, ifname: string, hostVeth: string, ip: string): Attachment {
  return { containerId, networkId, ifname, hostVeth, ip, ip6: undefined, mac: "", aliases: [], staticIp: false, staticIp6: false };
}

function lo(): Pick<NamespaceSnapshot, "links" | "addrs"> {
  return { links: [link(1, "lo", { mac: "00:00:00:00:00:00" })], addrs: [{ ifindex: 1, ip: "127.0.0.1", prefix: 8 }] };
}

export function fakeKernel(): KernelSnapshot {
  const host: NamespaceSnapshot = {
    links: [
      link(1, "lo"),
      link(2, "eth0"),
      link(3, "berth1", { kind: "bridge" }),
      link(4, "berth2", { kind: "bridge" }),
      link(10, "bthaaaaaaaaaaaa", { kind: "veth", masterIndex: 3, peerIndex: 2, peerNetnsId: 0 }),
      link(11, "bthbbbbbbbbbbbb", { kind: "veth", masterIndex: 3, peerIndex: 2, peerNetnsId: 1 }),
      link(12, "bthcccccccccccc", { kind: "veth", masterIndex: 4, peerIndex: 3, peerNetnsId: 1 }),
      link(20, "bthdeadbeef0", { kind: "veth", peerIndex: 21 }),
      link(21, "xx0", { kind: "veth", peerIndex: 20 }),
    ],
    addrs: [
      { ifindex: 1, ip: "127.0.0.1", prefix: 8 },
      { ifindex: 2, ip: "192.168.1.5", prefix: 24 },
      { ifindex: 3, ip: "10.89.0.1", prefix: 24 },
      { ifindex: 4, ip: "10.89.1.1", prefix: 24 },
    ],
    routes: [{ dst: undefined, gateway: "192.168.1.1", ifindex: 2, table: 254 }],
  };
  const web: NamespaceSnapshot = {
    links: [...lo().links, link(2, "eth0", { kind: "veth", peerIndex: 10, peerNetnsId: 0 })],
    addrs: [...lo().addrs, { ifindex: 2, ip: "10.89.0.2", prefix: 24 }],
    routes: [{ dst: undefined, gateway: "10.89.0.1", ifindex: 2, table: 254 }],
  };
  const both: NamespaceSnapshot = {
    links: [...lo().links, link(2, "eth0", { kind: "veth", peerIndex: 11, peerNetnsId: 0 }), link(3, "eth1", { kind: "veth", peerIndex: 12, peerNetnsId: 0 })],
    addrs: [...lo().addrs, { ifindex: 2, ip: "10.89.0.3", prefix: 24 }, { ifindex: 3, ip: "10.89.1.2", prefix: 24 }],
    routes: [{ dst: undefined, gateway: "10.89.0.1", ifindex: 2, table: 254 }],
  };
  const lonely: NamespaceSnapshot = { ...lo(), routes: [] };
  return {
    hostname: "testhost",
    host,
    namespaces: new Map([
      [NETNS.web, web],
      [NETNS.both, both],
      [NETNS.lonely, lonely],
    ]),
    ports: [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 9090, containerIp: "10.89.0.2", containerPort: 8080 }],
    others: [],
  };
}

/** The seed's host, plus other tools' bridges and named namespaces. */
export function withOthers(): KernelSnapshot {
  const k = fakeKernel();
  const host: NamespaceSnapshot = {
    ...k.host,
    links: [
      ...k.host.links,
      link(30, "docker0", { kind: "bridge" }),
      link(31, "veth1a2b3c4", { kind: "veth", masterIndex: 30, peerIndex: 5, peerNetnsId: 2 }),
      link(32, "virbr0", { kind: "bridge", up: false }),
    ],
    addrs: [...k.host.addrs, { ifindex: 30, ip: "172.17.0.1", prefix: 16 }],
  };
  const xns: NamespaceSnapshot = {
    links: [link(1, "lo", { up: false }), link(2, "xv0", { kind: "veth", peerIndex: 40, peerNetnsId: 0 })],
    addrs: [{ ifindex: 2, ip: "10.9.9.1", prefix: 24 }],
    routes: [],
  };
  return {
    ...k,
    host,
    others: [
      { path: "/run/netns/xns0", nprocs: 1, snapshot: xns },
      { path: "/run/netns/gone", nprocs: 0, snapshot: { error: "stale file: no namespace is mounted on it" } },
    ],
  };
}

export function fakeStore(): StoreSnapshot {
  return {
    networks: [network(ID.front, "frontend", "berth1", "10.89.0.0/24", "10.89.0.1"), network(ID.back, "backend", "berth2", "10.89.1.0/24", "10.89.1.1")],
    containers: [
      container(ID.web, "web", "bridge", NETNS.web, ["frontend"]),
      container(ID.both, "both", "bridge", NETNS.both, ["frontend", "backend"]),
      container(ID.lonely, "lonely", "none", NETNS.lonely, []),
    ],
    attachments: [
      attachment(ID.web, ID.front, "eth0", "bthaaaaaaaaaaaa", "10.89.0.2"),
      attachment(ID.both, ID.front, "eth0", "bthbbbbbbbbbbbb", "10.89.0.3"),
      attachment(ID.both, ID.back, "eth1", "bthcccccccccccc", "10.89.1.2"),
    ],
    ports: [{ containerId: ID.web, proto: "tcp", hostIp: "0.0.0.0", hostPort: 9090, containerPort: 8080 }],
  };
}

export const IDS = ID;
