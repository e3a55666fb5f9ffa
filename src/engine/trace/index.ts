import type { Engine } from "../context.js";
import { BerthError } from "../../errors.js";
import type { TraceResult } from "./hop.js";
import { parseTraceTarget } from "./target.js";
import { traceHostPort } from "./trace-host-port.js";
import { traceContainers } from "./trace-containers.js";
import { traceOutside } from "./trace-outside.js";
import { tryParseIpv4 } from "../../model/ipv4.js";

export type { TraceHop, TraceResult } from "./hop.js";
export { parseTraceTarget, type TraceTarget } from "./target.js";

/**
 * `berth trace TARGET` (a published port: HOSTIP:PORT[/proto]) or
 * `berth trace FROM TARGET` (container to container: TARGET is
 * NAME[:PORT[/proto]]).
 */
export function trace(engine: Engine, first: string, second?: string): TraceResult {
  if (second === undefined) {
    const t = parseTraceTarget(first);
    if (t.kind !== "address") {
      throw new BerthError("INVALID_ARGUMENT", `Cannot trace "${first}" alone: name the container the connection starts from`, {
        hint: `berth trace FROM ${first} (container to container), or berth trace HOSTIP:PORT for a published port`,
      });
    }
    return traceHostPort(engine, t.address, t.port, t.proto);
  }
  if (tryParseIpv4(second) !== undefined) return traceOutside(engine, first, second, undefined, "tcp");
  const t = parseTraceTarget(second);
  if (t.kind === "address") {
    if (t.address.includes(":")) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot trace from ${first} to the IPv6 address ${t.address} yet`, {
        hint: `Trace an IPv4 address or a name: berth trace ${first} HOST[:PORT]`,
      });
    }
    return traceOutside(engine, first, t.address, t.port, t.proto);
  }
  // a name that is no container's (and looks like a host name) is outside the host
  if (engine.store.containers.find(t.name) === undefined && t.name.includes(".")) {
    return traceOutside(engine, first, t.name, t.port, t.proto);
  }
  return traceContainers(engine, first, t.name, t.port, t.proto);
}

/** The trace as text: one line per hop (✓ or ✗ with the fix), then the verdict. */
export function renderTrace(r: TraceResult): string {
  const lines = [`trace ${r.connection}`];
  for (const [i, h] of r.hops.entries()) {
    lines.push(`  ${i + 1}. ${h.ok ? "ok  " : "FAIL"} ${h.step}: ${h.detail}`);
    if (h.fix) lines.push(`          fix: ${h.fix}`);
  }
  lines.push(r.verdict);
  return `${lines.join("\n")}\n`;
}

export { probeTarget, type ProbeTarget } from "./probe-target.js";
export { probeTrace, PROBE_TIMEOUT_MS } from "./probe.js";
export { renderProbe } from "./probe-render.js";
export type { ProbeHop, ProbeOutcome, ProbeResult } from "./probe-result.js";
