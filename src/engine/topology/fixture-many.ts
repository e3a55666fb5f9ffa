// A synthetic host for picture tests: `count` containers spread over
// `networks` bridge networks (every seventh on two networks, every fifth
// publishing a port), as kernel and store would show them. Pure data.
import type { Link } from "../../kernel/index.js";
import { runningContainerRecord, type Attachment, type Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import type { KernelSnapshot, NamespaceSnapshot, StoreSnapshot } from "./snapshot.js";
import type { PortMapping } from "../../firewall/index.js";
import { link as fixtureLink } from "./fixture.js";

/** fixture.ts's link with a MAC that stays unique past 255 links. */
function link(index: number, name: string, more: Partial<Link> = {}): Link {
  const mac = `02:00:${[index >> 16, (index >> 8) & 255, index & 255, 1].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
  return fixtureLink(index, name, { mac, ...more });
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

export function manyContainers(count: number, networks: number): { kernel: KernelSnapshot; store: StoreSnapshot } {
  const nets: Network[] = [];
  const hostLinks: Link[] = [link(1, "lo"), link(2, "eth0")];
  const hostAddrs = [
    { ifindex: 1, ip: "127.0.0.1", prefix: 8 },
    { ifindex: 2, ip: "192.168.1.5", prefix: 24 },
  ];
  for (let n = 0; n < networks; n++) {
    const id = hex(0xf000 + n, 4).repeat(16);
    nets.push({
      id,
      name: `net${n}`,
      driver: "bridge",
      bridge: `berth${n + 1}`,
      subnet: `10.89.${n}.0/24`,
      gateway: `10.89.${n}.1`,
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
    });
    hostLinks.push(link(10 + n, `berth${n + 1}`, { kind: "bridge" }));
    hostAddrs.push({ ifindex: 10 + n, ip: `10.89.${n}.1`, prefix: 24 });
  }
  const containers: Container[] = [];
  const attachments: Attachment[] = [];
  const namespaces = new Map<string, NamespaceSnapshot>();
  const ports: PortMapping[] = [];
  const storePorts: { containerId: string; proto: "tcp" | "udp"; hostIp: string; hostPort: number; containerPort: number }[] = [];
  let nextHostIndex = 1000;
  for (let i = 0; i < count; i++) {
    const id = hex(i + 1, 8).repeat(8);
    const name = `app-${String(i + 1).padStart(3, "0")}`;
    const netns = `/run/netns/berth-${id.slice(0, 12)}`;
    const first = i % networks;
    const mine = i % 7 === 6 && networks > 1 ? [first, (first + 1) % networks] : [first];
    const nsLinks: Link[] = [link(1, "lo", { mac: "00:00:00:00:00:00" })];
    const nsAddrs = [{ ifindex: 1, ip: "127.0.0.1", prefix: 8 }];
    mine.forEach((n, k) => {
      const hostIndex = nextHostIndex++;
      const veth = `bth${id.slice(k * 2, k * 2 + 12)}`;
      const ip = `10.89.${n}.${2 + Math.floor(i / networks) + k * 100}`;
      hostLinks.push(link(hostIndex, veth, { kind: "veth", masterIndex: 10 + n, peerIndex: 2 + k, peerNetnsId: i }));
      nsLinks.push(link(2 + k, `eth${k}`, { kind: "veth", peerIndex: hostIndex, peerNetnsId: 0 }));
      nsAddrs.push({ ifindex: 2 + k, ip, prefix: 24 });
      attachments.push({
        containerId: id,
        networkId: nets[n]?.id ?? "",
        ifname: `eth${k}`,
        hostVeth: veth,
        ip,
        ip6: undefined,
        mac: "",
        aliases: [],
        staticIp: false,
        staticIp6: false,
      });
    });
    namespaces.set(netns, { links: nsLinks, addrs: nsAddrs, routes: [{ dst: undefined, gateway: `10.89.${first}.1`, ifindex: 2, table: 254 }] });
    containers.push(runningContainerRecord(id, name, { netns, networks: mine.map((n) => ({ network: nets[n]?.name ?? "" })), pid: 100 + i }));
    if (i % 5 === 0) {
      const hostPort = 9000 + i;
      ports.push({ proto: "tcp", hostIp: "0.0.0.0", hostPort, containerIp: nsAddrs[1]?.ip ?? "", containerPort: 8080 });
      storePorts.push({ containerId: id, proto: "tcp", hostIp: "0.0.0.0", hostPort, containerPort: 8080 });
    }
  }
  return {
    kernel: {
      hostname: "testhost",
      host: { links: hostLinks, addrs: hostAddrs, routes: [{ dst: undefined, gateway: "192.168.1.1", ifindex: 2, table: 254 }] },
      namespaces,
      ports,
      others: [],
    },
    store: { networks: nets, containers, attachments, ports: storePorts },
  };
}
