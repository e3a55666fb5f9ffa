import type { DnsZoneSnapshot } from "../zone-snapshot.js";

/** A small two-network zone for unit tests and the benchmark. */
export function sampleZone(): DnsZoneSnapshot {
  const id = (c: string) => c.repeat(64);
  return {
    version: 1,
    networks: [
      {
        id: "n1",
        name: "frontend",
        gateway: "10.89.3.1",
        subnet: "10.89.3.0/24",
        dnsServers: [],
        containers: [
          { id: id("a"), name: "web", aliases: ["www"], ipv4: "10.89.3.2", dnsServers: [] },
          { id: id("c"), name: "client", aliases: [], ipv4: "10.89.3.3", dnsServers: [] },
        ],
      },
      {
        id: "n2",
        name: "backend",
        gateway: "10.89.2.1",
        subnet: "10.89.2.0/24",
        dnsServers: [],
        containers: [{ id: id("d"), name: "db", aliases: [], ipv4: "10.89.2.3", dnsServers: [] }],
      },
    ],
  };
}
