import type { CniDns, CniInterface, CniIpConfig, CniResult, CniRoute } from "./spec.js";

/** What an attachment looks like to the plugin, from Berth's engine. */
export interface AttachedInterface {
  readonly bridge: { readonly name: string; readonly mac?: string };
  readonly hostVeth: { readonly name: string; readonly mac?: string };
  readonly container: { readonly name: string; readonly mac: string; readonly sandbox: string; readonly mtu?: number };
  /** CIDR notation: 10.88.0.5/24. */
  readonly address: string;
  readonly gateway: string;
  /** The IPv6 address (CIDR notation) and gateway on a dual-stack network. */
  readonly address6?: string;
  readonly gateway6?: string;
  /** Berth's resolver on the gateway, when the network has DNS. */
  readonly nameserver?: string;
  readonly searchDomain?: string;
  /** False on an internal network: Berth routes nothing beyond it, so the result lists no default route. @default true */
  readonly defaultRoute?: boolean;
}

const isLegacy = (v: string): boolean => v.startsWith("0.");
/** An interface's `mtu` is a 1.1.0 field: containerd 1.6's libcni (up to 1.0.0) has no place for it. */
const hasInterfaceMtu = (v: string): boolean => !isLegacy(v) && v !== "1.0.0";

/**
 * The ADD result: Berth's three interfaces (bridge, host veth, container
 * end) appended to `prev`'s (a plugin before Berth in a chain), one IP on
 * the container interface, a default route through the gateway, and DNS:
 * the configuration's own `dns` dictionary first, then Berth's resolver.
 */
export function buildResult(cniVersion: string, a: AttachedInterface, prev?: CniResult, dns?: CniDns): CniResult {
  const interfaces: CniInterface[] = [...(prev?.interfaces ?? [])];
  const base = interfaces.length;
  interfaces.push(
    { name: a.bridge.name, ...(a.bridge.mac ? { mac: a.bridge.mac } : {}) },
    { name: a.hostVeth.name, ...(a.hostVeth.mac ? { mac: a.hostVeth.mac } : {}) },
    {
      name: a.container.name,
      mac: a.container.mac,
      sandbox: a.container.sandbox,
      ...(a.container.mtu && hasInterfaceMtu(cniVersion) ? { mtu: a.container.mtu } : {}),
    },
  );
  const ip: CniIpConfig = { ...(isLegacy(cniVersion) ? { version: "4" as const } : {}), address: a.address, gateway: a.gateway, interface: base + 2 };
  const ip6: CniIpConfig[] =
    a.address6 && a.gateway6
      ? [{ ...(isLegacy(cniVersion) ? { version: "6" as const } : {}), address: a.address6, gateway: a.gateway6, interface: base + 2 }]
      : [];
  const routes: CniRoute[] = [...(prev?.routes ?? [])];
  const defaultRoute = a.defaultRoute ?? true;
  if (defaultRoute && !routes.some((r) => r.dst === "0.0.0.0/0")) routes.push({ dst: "0.0.0.0/0", gw: a.gateway });
  if (defaultRoute && a.gateway6 && !routes.some((r) => r.dst === "::/0")) routes.push({ dst: "::/0", gw: a.gateway6 });
  const nameservers = [...(dns?.nameservers ?? prev?.dns?.nameservers ?? []), ...(a.nameserver ? [a.nameserver] : [])];
  const search = [...(dns?.search ?? prev?.dns?.search ?? []), ...(a.searchDomain ? [a.searchDomain] : [])];
  const mergedDns: CniDns = {
    ...(prev?.dns ?? {}),
    ...(dns ?? {}),
    ...(nameservers.length ? { nameservers: [...new Set(nameservers)] } : {}),
    ...(search.length ? { search: [...new Set(search)] } : {}),
  };
  return {
    cniVersion,
    interfaces,
    ips: [...(prev?.ips ?? []), ip, ...ip6],
    routes,
    ...(Object.keys(mergedDns).length ? { dns: mergedDns } : {}),
  };
}
