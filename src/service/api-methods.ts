import {
  connectNetwork,
  containerView,
  createNetwork,
  disconnectNetwork,
  networkView,
  portsView,
  removeContainer,
  removeNetwork,
  requireContainer,
  requireNetwork,
  withEngine,
  type NetworkCreateOptions,
} from "../engine/index.js";
import { BerthError } from "../errors.js";

/**
 * The local API's methods (docs/api.md): what the CLI's verbs do, as JSON.
 * Views are the CLI's `--format json` objects. `change` says whether the
 * service runs it in turn with the other changes.
 */
export interface ApiMethod {
  readonly change: boolean;
  readonly run: (params: Params) => Promise<unknown>;
}

type Params = Readonly<Record<string, unknown>>;

function str(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== "string" || v === "")
    throw new BerthError("INVALID_ARGUMENT", `"${key}" must be a non-empty string`, { hint: "See docs/api.md for the method's parameters" });
  return v;
}

function strings(p: Params, key: string): string[] {
  const v = p[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    throw new BerthError("INVALID_ARGUMENT", `"${key}" must be a list of strings`, { hint: "See docs/api.md" });
  return v as string[];
}

const bool = (p: Params, key: string): boolean => p[key] === true;

const read = (run: (p: Params) => Promise<unknown>): ApiMethod => ({ change: false, run });
const change = (run: (p: Params) => Promise<unknown>): ApiMethod => ({ change: true, run });

export const API_METHODS: Readonly<Record<string, ApiMethod>> = {
  "network.list": read(() => withEngine((e) => e.store.networks.list().map((n) => networkView(e, n)), { repair: false })),
  "network.inspect": read((p) => withEngine((e) => strings(p, "names").map((n) => networkView(e, requireNetwork(e, n))), { repair: false })),
  "network.create": change((p) => withEngine((e) => networkView(e, createNetwork(e, networkCreateOptions(p))))),
  "network.remove": change((p) =>
    withEngine(async (e) => {
      const out: string[] = [];
      for (const n of strings(p, "names")) out.push((await removeNetwork(e, n, { force: bool(p, "force") })).name);
      return out;
    }),
  ),
  "network.connect": change((p) =>
    withEngine(async (e) => {
      const a = await connectNetwork(e, str(p, "network"), str(p, "container"), {
        ...(typeof p["ip"] === "string" ? { ip: p["ip"] } : {}),
        ...(Array.isArray(p["aliases"]) ? { aliases: strings(p, "aliases") } : {}),
      });
      return { ifname: a.ifname, ip: a.ip ?? null, ip6: a.ip6 ?? null, mac: a.mac };
    }),
  ),
  "network.disconnect": change((p) => withEngine((e) => disconnectNetwork(e, str(p, "network"), str(p, "container")).then(() => null))),
  "container.list": read((p) =>
    withEngine(
      (e) =>
        e.store.containers
          .list()
          .filter((c) => bool(p, "all") || c.status === "running" || c.status === "creating")
          .map((c) => containerView(e, c)),
      { repair: false },
    ),
  ),
  "container.inspect": read((p) => withEngine((e) => strings(p, "names").map((n) => containerView(e, requireContainer(e, n))), { repair: false })),
  "container.port": read((p) => withEngine((e) => portsView(e, requireContainer(e, str(p, "name"))), { repair: false })),
  "container.remove": change((p) =>
    withEngine(async (e) => {
      const out: string[] = [];
      for (const n of strings(p, "names")) out.push((await removeContainer(e, n, { force: bool(p, "force") })).id);
      return out;
    }),
  ),
};

function networkCreateOptions(p: Params): NetworkCreateOptions {
  const opt = (k: string) => (typeof p[k] === "string" ? { [k]: p[k] as string } : {});
  return {
    name: str(p, "name"),
    ...(Array.isArray(p["subnet"]) ? { subnet: strings(p, "subnet") } : opt("subnet")),
    ...(Array.isArray(p["gateway"]) ? { gateway: strings(p, "gateway") } : opt("gateway")),
    ...opt("ipRange"),
    ...opt("interfaceName"),
    ipv6: bool(p, "ipv6"),
    internal: bool(p, "internal"),
    disableDns: bool(p, "disableDns"),
    ignoreExisting: bool(p, "ignoreExisting"),
    ...(p["driver"] === "macvlan" ? { driver: "macvlan" as const } : {}),
    ...(typeof p["options"] === "object" && p["options"] !== null ? { options: p["options"] as Record<string, string> } : {}),
    ...(typeof p["labels"] === "object" && p["labels"] !== null ? { labels: p["labels"] as Record<string, string> } : {}),
    ...(Array.isArray(p["dnsServers"]) ? { dnsServers: strings(p, "dnsServers") } : {}),
  };
}
