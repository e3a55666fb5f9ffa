import { formatIpv6, tryParseIpv6 } from "../../model/ipv6.js";
import { BerthError } from "../../errors.js";
import { tryParseIpv4 } from "../../model/ipv4.js";
import type { Proto } from "../../model/port-spec.js";

/** `ADDRESS:PORT[/proto]` (a host address) or `NAME[:PORT[/proto]]` (a container). */
export type TraceTarget =
  | { readonly kind: "address"; readonly address: string; readonly port: number; readonly proto: Proto }
  | { readonly kind: "container"; readonly name: string; readonly port: number | undefined; readonly proto: Proto };

function badTarget(text: string, why: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Cannot trace "${text}": ${why}`, {
    hint: "Give HOSTIP:PORT[/tcp|/udp] (e.g. 127.0.0.1:9090), or a container NAME[:PORT[/tcp|/udp]] (e.g. db:5432)",
  });
}

function parsePort(text: string, raw: string): number {
  if (!/^[0-9]{1,5}$/.test(raw)) throw badTarget(text, `"${raw}" is not a port number`);
  const n = Number(raw);
  if (n < 1 || n > 65535) throw badTarget(text, `port ${n} is outside 1-65535`);
  return n;
}

export function parseTraceTarget(text: string): TraceTarget {
  let rest = text;
  let proto: Proto = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== "tcp" && p !== "udp") throw badTarget(text, `"${p}" is not tcp or udp`);
    proto = p;
    rest = rest.slice(0, slash);
  }
  const colon = rest.lastIndexOf(":");
  if (rest.startsWith("[")) {
    // [IPV6]:PORT
    const close = rest.indexOf("]");
    const ip = close < 0 ? undefined : tryParseIpv6(rest.slice(1, close));
    if (ip === undefined || rest[close + 1] !== ":") throw badTarget(text, "an IPv6 address is written [ADDRESS]:PORT");
    return { kind: "address", address: formatIpv6(ip), port: parsePort(text, rest.slice(close + 2)), proto };
  }
  const host = colon >= 0 ? rest.slice(0, colon) : rest;
  const port = colon >= 0 ? parsePort(text, rest.slice(colon + 1)) : undefined;
  if (host === "") throw badTarget(text, "no address or container name");
  if (tryParseIpv4(host) !== undefined) {
    if (port === undefined) throw badTarget(text, "an address needs a port");
    return { kind: "address", address: host, port, proto };
  }
  if (/^[0-9.]+$/.test(host)) throw badTarget(text, `"${host}" is not an IPv4 address`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(host)) throw badTarget(text, `"${host}" is not a container name`);
  return { kind: "container", name: host, port, proto };
}
