import type { Link } from "../../kernel/index.js";

/** A kernel link's attributes on its node: ifindex, type, MAC, MTU, state and IPv4 addresses. */
export function linkAttributes(l: Link, addresses: readonly string[]): Record<string, string | number | boolean | readonly string[]> {
  return {
    ifindex: l.index,
    ...(l.kind ? { type: l.kind } : {}),
    mac: l.mac,
    mtu: l.mtu,
    up: l.up,
    addresses,
  };
}
