// What Berth made, as the live kernel and the resolver show it, for tests
// that compare it with what should be there (model-based, scale, soak).
// Reads only: `ip -j`, `nft -j`, the namespace directory, the zone files
// and /proc.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ZoneModel } from "../src/dns/zone-model.js";
import { JournalReader } from "../src/dns/zone-journal.js";
import { parseZoneSnapshot } from "../src/dns/zone-snapshot.js";

function json<T>(argv: readonly string[], fallback: T): T {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 || r.stdout.trim() === "") return fallback;
  return JSON.parse(r.stdout) as T;
}

export interface HostLink {
  readonly name: string;
  readonly kind: string | undefined;
  readonly master: string | undefined;
}

interface IpLink {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

/** Links of the namespace the test runs in (the sandbox's "host"), with their kind and bridge. */
export function hostLinks(): HostLink[] {
  return json<IpLink[]>(["ip", "-j", "-d", "link", "show"], []).map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind, master: l.master }));
}

/** Berth's links: host veth ends (bth...), bridges (berth...) and macvlan host shims (bmv...). */
export function berthLinks(): HostLink[] {
  return hostLinks().filter((l) => /^(bth|berth|bmv)/.test(l.name));
}

/** Files in the namespace directory (BERTH_ROOT/netns). */
export function netnsFiles(root: string): string[] {
  const dir = join(root, "netns");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export interface ContainerIface {
  readonly name: string;
  readonly ipv4: readonly string[];
}

export interface ContainerNet {
  readonly ifaces: readonly ContainerIface[];
  /** The default route's gateway and interface, if there is one. */
  readonly defaultRoute: { readonly via: string; readonly dev: string } | undefined;
}

/** Interfaces (other than lo) with their IPv4 addresses, and the default route, inside a namespace file. */
export function containerNet(netns: string): ContainerNet {
  const addrs = json<{ ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(
    ["nsenter", `--net=${netns}`, "ip", "-j", "addr", "show"],
    [],
  );
  const routes = json<{ dst: string; gateway?: string; dev: string }[]>(["nsenter", `--net=${netns}`, "ip", "-j", "route", "show", "default"], []);
  const def = routes.find((r) => r.dst === "default");
  return {
    ifaces: addrs
      .filter((a) => a.ifname !== "lo")
      .map((a) => ({ name: a.ifname, ipv4: (a.addr_info ?? []).filter((i) => i.family === "inet").map((i) => `${i.local}/${i.prefixlen}`) })),
    defaultRoute: def?.gateway === undefined ? undefined : { via: def.gateway, dev: def.dev },
  };
}

export interface NftInventory {
  /** Set name -> its elements, each rendered as text ("berth1", "berth1 . berth1", "10.1.0.0/24"). */
  readonly sets: ReadonlyMap<string, readonly string[]>;
  /** Published ports: "tcp 0.0.0.0:9100 -> 10.1.0.2:80" (dnat_any) or "udp 127.0.0.1:9101 -> ..." (dnat_addr). */
  readonly dnat: readonly string[];
  /** Number of elements in all sets and maps. */
  readonly elements: number;
}

function elemText(e: unknown): string {
  if (typeof e === "string" || typeof e === "number") return String(e);
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if ("elem" in o) return elemText((o["elem"] as { val: unknown }).val);
    if ("concat" in o) return (o["concat"] as unknown[]).map(elemText).join(" . ");
    if ("range" in o) return (o["range"] as unknown[]).map(elemText).join("-");
    if ("prefix" in o) {
      const p = o["prefix"] as { addr: string; len: number };
      return `${p.addr}/${p.len}`;
    }
  }
  return JSON.stringify(e);
}

/** The sets and port maps of `table inet berth`, or undefined when the table does not exist. */
export function nftInventory(): NftInventory | undefined {
  const r = json<{ nftables: Record<string, unknown>[] } | undefined>(["nft", "-j", "list", "table", "inet", "berth"], undefined);
  if (!r) return undefined;
  const sets = new Map<string, string[]>();
  const dnat: string[] = [];
  let elements = 0;
  for (const o of r.nftables) {
    const set = o["set"] as { name: string; elem?: unknown[] } | undefined;
    if (set) {
      sets.set(set.name, (set.elem ?? []).map(elemText).sort());
      elements += set.elem?.length ?? 0;
    }
    const map = o["map"] as { name: string; elem?: [unknown, unknown][] } | undefined;
    if (map) {
      elements += map.elem?.length ?? 0;
      for (const [key, value] of map.elem ?? []) {
        const [k0 = "?", k1 = "?", k2 = "?"] = elemText(key).split(" . ");
        const [ip = "?", port = "?"] = elemText(value).split(" . ");
        const from = map.name === "dnat_any" ? `${k0} 0.0.0.0:${k1}` : `${k0} ${k1}:${k2}`;
        dnat.push(`${from} -> ${ip}:${port}`);
      }
    }
  }
  return { sets, dnat: dnat.sort(), elements };
}

export interface ZoneContainer {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly ipv4: string;
}

export interface ZoneFile {
  readonly serial: number;
  readonly networks: readonly { readonly name: string; readonly gateway: string; readonly containers: readonly ZoneContainer[] }[];
}

/**
 * The zone Berth last published to the resolver, if any: zone.json and the
 * journal lines that follow it (src/dns/zone-journal.ts), read as the
 * resolver reads them at start.
 */
export function publishedZone(root: string): ZoneFile | undefined {
  const dir = join(root, "run", "dns");
  const file = join(dir, "zone.json");
  if (!existsSync(file)) return undefined;
  const zone = new ZoneModel(parseZoneSnapshot(JSON.parse(readFileSync(file, "utf8"))));
  for (const e of new JournalReader(join(dir, "zone.journal")).read().entries) {
    if (e.serial <= (zone.serial ?? 0)) continue;
    if (e.base !== zone.serial || !zone.apply(e)) break;
  }
  const z = zone.snapshot();
  return {
    serial: z.serial ?? 0,
    networks: z.networks.map((n) => ({
      name: n.name,
      gateway: n.gateway ?? "",
      containers: n.containers.map((c) => ({ name: c.name, aliases: c.aliases, ipv4: c.ipv4 ?? "" })),
    })),
  };
}

/** The serial the resolver says it serves (zone.loaded), or 0. */
export function loadedSerial(root: string): number {
  try {
    return Number(readFileSync(join(root, "run", "dns", "zone.loaded"), "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

/** The resolver daemon's pid when it is alive (and not a zombie). */
export function resolverPid(root: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(root, "run", "dns", "resolver.pid"), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const st = processStats(pid);
  return st && !st.zombie ? pid : undefined;
}

export interface ProcessStats {
  readonly fds: number;
  readonly rssKb: number;
  readonly zombie: boolean;
}

/** Open file descriptors and resident memory of a process, or undefined when it is gone. */
export function processStats(pid: number): ProcessStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+([0-9]+) kB$/m.exec(status);
    const zombie = /^State:\s+Z/m.test(status);
    const fds = zombie ? 0 : readdirSync(`/proc/${pid}/fd`).length;
    return { fds, rssKb: rss ? Number(rss[1]) : 0, zombie };
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) processes whose command line mentions `text` (e.g. conmon processes of one BERTH_ROOT). */
export function processesMentioning(text: string): { pid: number; args: string }[] {
  const out: { pid: number; args: string }[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (args.includes(text) && !/^State:\s+Z/m.test(readFileSync(`/proc/${e}/status`, "utf8"))) out.push({ pid: Number(e), args });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
