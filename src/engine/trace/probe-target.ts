import type { Engine } from "../context.js";
import type { Proto } from "../../model/port-spec.js";
import { tryParseIpv4 } from "../../model/ipv4.js";
import { BerthError } from "../../errors.js";
import { requireContainer } from "../network/network-lookup.js";
import { resolveAsContainer } from "../resolve/resolve-as-container.js";
import { parseTraceTarget } from "./target.js";

/** Where a probe starts (the host, or a container's namespace) and where it goes. */
export interface ProbeTarget {
  /** "the host", or "container web". */
  readonly from: string;
  /** The namespace the probe is sent from; undefined for the host's. */
  readonly netns: string | undefined;
  readonly dst: string;
  readonly dport: number;
  readonly proto: Proto;
  /** How the user named the destination when it was not an address: "db", "www.example.test". */
  readonly dstName?: string;
}

function needPort(text: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Cannot probe "${text}": a probe needs a port (it sends one TCP SYN or UDP datagram)`, {
    hint: `Give the port: berth trace --probe ... ${text}:PORT (add /udp for UDP)`,
  });
}

function ipv4Only(text: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Cannot probe "${text}": probes are IPv4 only for now`, {
    hint: "Probe an IPv4 address or a name with an IPv4 address; the trace without --probe covers IPv6",
  });
}

/**
 * The probe for `berth trace --probe TARGET` (from the host to
 * HOSTIP:PORT) or `berth trace --probe FROM TARGET` (from container FROM to
 * a container NAME:PORT, or an outside HOST:PORT or ADDRESS:PORT).
 */
export function probeTarget(engine: Engine, first: string, second: string | undefined): ProbeTarget {
  if (second === undefined) {
    const t = parseTraceTarget(first);
    if (t.kind !== "address") {
      throw new BerthError("INVALID_ARGUMENT", `Cannot probe "${first}" alone: name the container the connection starts from`, {
        hint: `berth trace --probe FROM ${first}:PORT (from a container), or berth trace --probe HOSTIP:PORT (from the host)`,
      });
    }
    if (tryParseIpv4(t.address) === undefined) throw ipv4Only(first);
    return { from: "the host", netns: undefined, dst: t.address, dport: t.port, proto: t.proto };
  }
  const c = requireContainer(engine, first);
  if (c.status !== "running" || c.netns === undefined) {
    throw new BerthError("CONTAINER_NOT_RUNNING", `Cannot probe from ${c.name}: it is ${c.status}`, {
      hint: `start it again with \`berth start ${c.name}\``,
    });
  }
  const base = { from: `container ${c.name}`, netns: c.netns };
  if (tryParseIpv4(second) !== undefined) throw needPort(second);
  const t = parseTraceTarget(second);
  if (t.port === undefined) throw needPort(second);
  if (t.kind === "address") {
    if (tryParseIpv4(t.address) === undefined) throw ipv4Only(second);
    return { ...base, dst: t.address, dport: t.port, proto: t.proto };
  }
  const to = engine.store.containers.find(t.name);
  if (to !== undefined) {
    // the address on a network both share, else its first: the probe shows what stops it
    const mine = new Set(engine.store.attachments.forContainer(c.id).map((a) => a.networkId));
    const theirs = engine.store.attachments.forContainer(to.id).filter((a) => a.ip !== undefined);
    const a = theirs.find((x) => mine.has(x.networkId)) ?? theirs[0];
    if (a?.ip === undefined) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot probe ${to.name}: it has no IPv4 address`, {
        hint: `see \`berth inspect ${to.name}\`; start it on a network with \`berth run --network NET ...\``,
      });
    }
    return { ...base, dst: a.ip, dport: t.port, proto: t.proto, dstName: to.name };
  }
  const lookup = resolveAsContainer(engine, c, t.name);
  const ip = lookup.addresses.find((x) => tryParseIpv4(x) !== undefined);
  if (ip === undefined) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot probe ${t.name}: it is no container, and it does not resolve in ${c.name} (${lookup.source})`, {
      hint: `see why with \`berth trace ${c.name} ${t.name}:${t.port}\`, or probe an address: berth trace --probe ${c.name} ADDRESS:${t.port}`,
    });
  }
  return { ...base, dst: ip, dport: t.port, proto: t.proto, dstName: t.name };
}
