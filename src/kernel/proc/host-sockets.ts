import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import type { Proto } from "../../model/port-spec.js";

export interface HostSocket {
  readonly proto: Proto;
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

const TCP_LISTEN = "0A";
const UDP_UNCONNECTED = "07";

/**
 * Listening TCP and bound UDP sockets of the host's network namespace, from
 * /proc/net. Pass `procNetDir` "/proc/thread-self/net" inside withNetns() to
 * read another namespace's (/proc/net follows the main thread's namespace).
 */
export function hostSockets(proto: Proto, procNetDir = "/proc/net"): HostSocket[] {
  const out: HostSocket[] = [];
  for (const v6 of [false, true]) {
    let text = "";
    try {
      text = readFileSync(`${procNetDir}/${proto}${v6 ? "6" : ""}`, "utf8");
    } catch {
      continue;
    }
    out.push(...parseProcNetSockets(text, proto, v6));
  }
  return out;
}

/** The listening (tcp) or unconnected (udp) sockets in the text of /proc/net/{tcp,udp}[6]. */
export function parseProcNetSockets(text: string, proto: Proto, v6: boolean): HostSocket[] {
  const out: HostSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    const [local, state, inode] = [f[1], f[3], f[9]];
    if (!local || state !== (proto === "tcp" ? TCP_LISTEN : UDP_UNCONNECTED)) continue;
    const [hexAddr, hexPort] = local.split(":");
    out.push({ proto, address: v6 ? v6Address(hexAddr ?? "") : v4Address(hexAddr ?? ""), port: parseInt(hexPort ?? "0", 16), inode: Number(inode) });
  }
  return out;
}

function v4Address(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
}

function v6Address(hex: string): string {
  if (/^0+$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  if (hex.startsWith("0000000000000000FFFF0000")) return v4Address(hex.slice(24));
  return "ipv6";
}

/** A host socket that would clash with publishing (proto, hostIp, port). */
export function hostSocketOn(proto: Proto, hostIp: string, port: number): HostSocket | undefined {
  if (hostIp.includes(":")) {
    const v6 = (a: string) => a.includes(":") || a === "ipv6";
    return hostSockets(proto).find((s) => s.port === port && v6(s.address) && (hostIp === "::" || s.address === hostIp || s.address === "::"));
  }
  return hostSockets(proto).find((s) => s.port === port && (hostIp === "0.0.0.0" || s.address === hostIp || s.address === "0.0.0.0" || s.address === "::"));
}

/** The process owning a socket inode, found through /proc/PID/fd. */
export function socketOwner(inode: number): { pid: number; name: string } | undefined {
  const target = `socket:[${inode}]`;
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${d}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${d}/fd/${fd}`) === target) {
          return { pid: Number(d), name: readFileSync(`/proc/${d}/comm`, "utf8").trim() };
        }
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}
