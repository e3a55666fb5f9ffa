import { BerthError } from "../errors.js";
import { formatIpv4, parseIpv4 } from "./ipv4.js";
import { formatIpv6, tryParseIpv6 } from "./ipv6.js";

export type Proto = "tcp" | "udp";

/** One published port: host (address, port) forwarded to a container port. */
export interface PortMapping {
  readonly proto: Proto;
  /** "0.0.0.0" means every IPv4 host address, "::" every IPv6 one. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** A -p request before random host ports are chosen (hostPort 0 = pick one). */
export interface PortRequest {
  readonly proto: Proto;
  /** A host address, or ANY_FAMILY ("") for a bare -p: every host address of each family the container has. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

export const ANY_IPV4 = "0.0.0.0";
export const ANY_IPV6 = "::";
/** The host address of a -p without one: 0.0.0.0 and :: (for the families the container has). */
export const ANY_FAMILY = "";

function bad(
  spec: string,
  why: string,
  hint = "Write -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], e.g. -p 9090:8080 or -p 127.0.0.1:9090:8080/udp",
): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Invalid port mapping "${spec}": ${why}`, { hint });
}

function parsePort(spec: string, text: string, what: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw bad(spec, `${what} "${text}" is not a number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw bad(spec, `${what} ${n} is outside 1-65535`);
  return n;
}

function parseRange(spec: string, text: string, what: string): [number, number] {
  const dash = text.indexOf("-");
  if (dash < 0) {
    const p = parsePort(spec, text, what);
    return [p, p];
  }
  const a = parsePort(spec, text.slice(0, dash), what);
  const b = parsePort(spec, text.slice(dash + 1), what);
  if (b < a) throw bad(spec, `the ${what} range ${a}-${b} is reversed`, `Write the lower port first, e.g. ${b}-${a}`);
  return [a, b];
}

/**
 * Parse one `-p` value in every Podman form: CPORT, HPORT:CPORT,
 * HOSTIP:HPORT:CPORT, HOSTIP::CPORT, ranges (8000-8002:9000-9002), with an
 * optional /tcp or /udp. Host port 0 in the result means "choose a free one".
 */
export function parsePortSpec(spec: string): PortRequest[] {
  let body = spec;
  let proto: Proto = "tcp";
  const slash = spec.lastIndexOf("/");
  if (slash >= 0) {
    const p = spec.slice(slash + 1).toLowerCase();
    if (p === "sctp") throw bad(spec, "SCTP is not supported", "This kernel has no SCTP; publish tcp or udp");
    if (p !== "tcp" && p !== "udp") throw bad(spec, `unknown protocol "${spec.slice(slash + 1)}"`);
    proto = p;
    body = spec.slice(0, slash);
  }
  let hostIp = ANY_FAMILY;
  if (body.startsWith("[")) {
    const close = body.indexOf("]");
    const ip = close < 0 ? undefined : tryParseIpv6(body.slice(1, close));
    if (ip === undefined || body[close + 1] !== ":")
      throw bad(
        spec,
        `"${close < 0 ? body : body.slice(0, close + 1)}" is not an IPv6 host address in brackets`,
        "Write -p [IPV6]:HOSTPORT:CONTAINERPORT, e.g. -p [fd00::1]:8080:80 or -p [::]:8080:80",
      );
    hostIp = formatIpv6(ip);
    if (hostIp === "::1") {
      throw bad(
        spec,
        "the kernel cannot forward connections from ::1 into a container (IPv6 has no route_localnet, so a packet from ::1 never leaves lo)",
        "Publish on 127.0.0.1 for host-local access (-p 127.0.0.1:HOSTPORT:PORT), or on another IPv6 address of the host or the network's gateway",
      );
    }
    body = `IPV6${body.slice(close + 1)}`;
  } else if ((body.match(/:/g)?.length ?? 0) > 2) {
    throw bad(spec, "an IPv6 host address must be written in brackets", "Write -p [IPV6]:HOSTPORT:CONTAINERPORT, e.g. -p [::]:8080:80");
  }
  const parts = body.split(":");
  let hostText = "";
  let ctrText: string;
  if (parts.length === 1) ctrText = parts[0] ?? "";
  else if (parts.length === 2) [hostText, ctrText] = [parts[0] ?? "", parts[1] ?? ""];
  else {
    const ip = parts[0] ?? "";
    if (hostIp === ANY_FAMILY) {
      try {
        hostIp = formatIpv4(parseIpv4(ip, "host address"));
      } catch {
        throw bad(spec, `"${ip}" is not an IPv4 host address`, "Write an IPv4 host address, or an IPv6 one in brackets: -p [fd00::1]:8080:80");
      }
    }
    [hostText, ctrText] = [parts[1] ?? "", parts[2] ?? ""];
  }
  if (ctrText === "") throw bad(spec, "the container port is missing");
  const [c0, c1] = parseRange(spec, ctrText, "container port");
  if (hostText === "") return range(c0, c1).map((c) => ({ proto, hostIp, hostPort: 0, containerPort: c }));
  const [h0, h1] = parseRange(spec, hostText, "host port");
  if (h1 - h0 !== c1 - c0) {
    throw bad(spec, `the host range has ${h1 - h0 + 1} ports but the container range has ${c1 - c0 + 1}`, "Give ranges of the same length");
  }
  return range(c0, c1).map((c, i) => ({ proto, hostIp, hostPort: h0 + i, containerPort: c }));
}

/** `--expose PORT[/proto]` (also a range). */
export function parseExpose(spec: string): { proto: Proto; port: number }[] {
  return parsePortSpec(spec.includes(":") ? `:${spec}` : spec).map((r) => ({ proto: r.proto, port: r.containerPort }));
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** "8080/tcp" */
export function portKey(port: number, proto: Proto): string {
  return `${port}/${proto}`;
}
