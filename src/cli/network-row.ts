import { goStruct, formatTime } from "./template/index.js";
import type { TemplateTarget } from "./template/index.js";

/** The JSON `network inspect` prints (engine/views/network-view.ts), as far as templates read it. */
interface NetworkJson {
  readonly name: string;
  readonly id: string;
  readonly driver: string;
  readonly network_interface: string;
  readonly created: string;
  readonly subnets: readonly { readonly subnet: string; readonly gateway: string; readonly ip_range?: string }[];
  readonly ipv6_enabled: boolean;
  readonly internal: boolean;
  readonly dns_enabled: boolean;
  readonly network_dns_servers?: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly ipam_options: Readonly<Record<string, string>>;
  readonly containers: Readonly<Record<string, unknown>>;
}

/**
 * A network as Podman's templates see it: Go field names (`{{.Name}}`,
 * `{{.ID}}`, `{{.Driver}}`, `{{.NetworkInterface}}`, `{{.Subnets}}`...),
 * while its JSON keeps Podman's lower-case keys. For `network ls` the ID is
 * short (unless --no-trunc) and Labels is `k=v,...`, as in `podman network ls`;
 * for inspect the ID is whole and Labels a map. `Containers` is Berth's own extra.
 */
export function networkRow(view: Record<string, unknown>, use: { list: boolean; noTrunc?: boolean }): Record<string, unknown> {
  const n = view as unknown as NetworkJson;
  const labels = use.list
    ? Object.entries(n.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")
    : { ...n.labels };
  return goStruct("types.Network", {
    Name: n.name,
    ID: use.list && !use.noTrunc ? n.id.slice(0, 12) : n.id,
    Driver: n.driver,
    NetworkInterface: n.network_interface,
    Created: formatTime(new Date(n.created)),
    Subnets: n.subnets.map((s) => goStruct("types.Subnet", { Subnet: s.subnet, Gateway: s.gateway, LeaseRange: s.ip_range ?? null })),
    IPv6Enabled: n.ipv6_enabled,
    Internal: n.internal,
    DNSEnabled: n.dns_enabled,
    NetworkDNSServers: [...(n.network_dns_servers ?? [])],
    Labels: labels,
    Options: { ...n.options },
    IPAMOptions: { ...n.ipam_options },
    ...(use.list ? {} : { Containers: n.containers }),
  });
}

export const NETWORK_LS_TARGET: TemplateTarget = {
  name: "ls",
  fields: [
    "Name",
    "ID",
    "Driver",
    "NetworkInterface",
    "Created",
    "Subnets",
    "IPv6Enabled",
    "Internal",
    "DNSEnabled",
    "NetworkDNSServers",
    "Labels",
    "Options",
    "IPAMOptions",
  ],
  headers: { ID: "NETWORK ID" },
};

export const INSPECT_TARGET: TemplateTarget = { name: "inspect", fields: [] };
