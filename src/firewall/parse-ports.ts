import { MAP, TABLE_FAMILY, TABLE_NAME } from "./table.js";
import { ANY_HOST_IP, ANY_HOST_IP6, type PortMapping } from "./render-ports.js";
import { tryParseIpv6, formatIpv6 } from "../model/ipv6.js";
import type { NftObject } from "./nft-json.js";

const PROTO_NUMBERS: Record<number, "tcp" | "udp"> = { 6: "tcp", 17: "udp" };

function proto(v: unknown): "tcp" | "udp" | undefined {
  if (v === "tcp" || v === "udp") return v;
  return typeof v === "number" ? PROTO_NUMBERS[v] : undefined;
}

function port(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

function address(v: unknown, v6: boolean): string | undefined {
  if (typeof v !== "string") return undefined;
  if (!v6) return /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(v) ? v : undefined;
  const ip = tryParseIpv6(v);
  return ip === undefined ? undefined : formatIpv6(ip);
}

/** The concatenation's parts: `{"concat": [...]}`, possibly wrapped as `{"elem": {"val": ...}}`. */
function parts(v: unknown): unknown[] | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o["concat"])) return o["concat"] as unknown[];
  const elem = o["elem"];
  if (typeof elem === "object" && elem !== null) return parts((elem as Record<string, unknown>)["val"]);
  return undefined;
}

function parseElement(mapName: string, e: unknown): PortMapping | undefined {
  if (!Array.isArray(e) || e.length !== 2) return undefined;
  const k = parts(e[0]);
  const v = parts(e[1]);
  if (!k || !v || v.length !== 2) return undefined;
  const v6 = mapName === MAP.anyAddress6 || mapName === MAP.byAddress6;
  const containerIp = address(v[0], v6);
  const containerPort = port(v[1]);
  const p = proto(k[0]);
  if (!p || containerIp === undefined || containerPort === undefined) return undefined;
  if ((mapName === MAP.anyAddress || mapName === MAP.anyAddress6) && k.length === 2) {
    const hostPort = port(k[1]);
    return hostPort === undefined ? undefined : { proto: p, hostIp: v6 ? ANY_HOST_IP6 : ANY_HOST_IP, hostPort, containerIp, containerPort };
  }
  if ((mapName === MAP.byAddress || mapName === MAP.byAddress6) && k.length === 3) {
    const hostIp = address(k[1], v6);
    const hostPort = port(k[2]);
    return hostIp === undefined || hostPort === undefined ? undefined : { proto: p, hostIp, hostPort, containerIp, containerPort };
  }
  return undefined;
}

/**
 * The published ports held by Berth's two DNAT maps, read from
 * `nft -j list table inet berth` (or `list map ...`) output. Elements that
 * do not have the expected shape are skipped, not guessed at.
 */
export function parsePortMappings(objects: readonly NftObject[]): PortMapping[] {
  const out: PortMapping[] = [];
  for (const o of objects) {
    const map = o["map"];
    if (typeof map !== "object" || map === null) continue;
    const m = map as Record<string, unknown>;
    if (m["family"] !== TABLE_FAMILY || m["table"] !== TABLE_NAME) continue;
    const name = m["name"];
    if (typeof name !== "string" || !(Object.values(MAP) as string[]).includes(name)) continue;
    const elems = m["elem"];
    if (!Array.isArray(elems)) continue;
    for (const e of elems) {
      const pm = parseElement(name, e);
      if (pm) out.push(pm);
    }
  }
  return out;
}
