import type { Engine } from "../context.js";
import type { DoctorScope, Finding } from "./finding.js";
import { networksInUse, plural, type NetworkUse } from "./networks-in-use.js";
import { readProcValue } from "./read-proc.js";

export const IP_FORWARD_PATH = "/proc/sys/net/ipv4/ip_forward";

/** IP_FORWARD_OFF when forwarding is off while a non-internal network has containers. */
export function ipForwardFindings(value: string | undefined, inUse: readonly NetworkUse[]): Finding[] {
  if (value === undefined || value === "1") return [];
  const routed = inUse.filter((u) => !u.network.internal && u.network.driver === "bridge" && u.network.subnet !== undefined);
  if (routed.length === 0) return [];
  const which = routed.map((u) => `${u.network.name} (${plural(u.containers, "container")})`).join(", ");
  return [{
    code: "IP_FORWARD_OFF",
    severity: "error",
    summary: `IPv4 forwarding is off: containers on ${routed.map((u) => u.network.name).join(", ")} cannot reach outside the host and published ports do not answer`,
    evidence: `net.ipv4.ip_forward = ${value}; non-internal networks with containers: ${which}`,
    fix: "sysctl -w net.ipv4.ip_forward=1",
  }];
}

export const IPV6_FORWARD_PATH = "/proc/sys/net/ipv6/conf/all/forwarding";

/** IPV6_FORWARD_OFF when IPv6 forwarding is off while a non-internal network with an IPv6 subnet has containers. */
export function ipv6ForwardFindings(value: string | undefined, inUse: readonly NetworkUse[]): Finding[] {
  if (value === undefined || value === "1") return [];
  const routed = inUse.filter((u) => !u.network.internal && u.network.driver === "bridge" && u.network.subnet6 !== undefined);
  if (routed.length === 0) return [];
  const which = routed.map((u) => `${u.network.name} (${plural(u.containers, "container")})`).join(", ");
  return [{
    code: "IPV6_FORWARD_OFF",
    severity: "error",
    summary: `IPv6 forwarding is off: containers on ${routed.map((u) => u.network.name).join(", ")} cannot reach outside the host over IPv6 and ports published on :: do not answer`,
    evidence: `net.ipv6.conf.all.forwarding = ${value}; non-internal IPv6 networks with containers: ${which}`,
    fix: "sysctl -w net.ipv6.conf.all.forwarding=1 (and accept_ra=2 on an uplink configured by router advertisements)",
  }];
}

/** Check 2: read the kernel's ip_forward and IPv6 forwarding (not what Berth wrote when it made the bridge). */
export function checkIpForward(engine: Engine, scope: DoctorScope): Finding[] {
  const inUse = networksInUse(engine, scope.networks);
  return [...ipForwardFindings(readProcValue(IP_FORWARD_PATH), inUse), ...ipv6ForwardFindings(readProcValue(IPV6_FORWARD_PATH), inUse)];
}
