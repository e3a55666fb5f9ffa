import type { Engine } from "../context.js";
import type { DoctorScope, Finding } from "./finding.js";
import { networksInUse, plural, type NetworkUse } from "./networks-in-use.js";
import { readProcValue } from "../../kernel/proc/read-proc.js";
import { driverOf } from "../network/drivers/index.js";

export const IP_FORWARD_PATH = "/proc/sys/net/ipv4/ip_forward";
export const IPV6_FORWARD_PATH = "/proc/sys/net/ipv6/conf/all/forwarding";

/** What differs between the IPv4 and the IPv6 forwarding check. */
interface ForwardFamily {
  readonly code: string;
  readonly sysctl: string;
  /** The networks whose traffic needs this family forwarded. */
  readonly needs: (u: NetworkUse) => boolean;
  readonly summary: (names: string) => string;
  readonly which: string;
  readonly fix: string;
}

const IPV4: ForwardFamily = {
  code: "IP_FORWARD_OFF",
  sysctl: "net.ipv4.ip_forward",
  needs: (u) => u.network.subnet !== undefined,
  summary: (names) => `IPv4 forwarding is off: containers on ${names} cannot reach outside the host and published ports do not answer`,
  which: "non-internal networks with containers",
  fix: "sysctl -w net.ipv4.ip_forward=1",
};

const IPV6: ForwardFamily = {
  code: "IPV6_FORWARD_OFF",
  sysctl: "net.ipv6.conf.all.forwarding",
  needs: (u) => u.network.subnet6 !== undefined,
  summary: (names) => `IPv6 forwarding is off: containers on ${names} cannot reach outside the host over IPv6 and ports published on :: do not answer`,
  which: "non-internal IPv6 networks with containers",
  fix: "sysctl -w net.ipv6.conf.all.forwarding=1 (and accept_ra=2 on an uplink configured by router advertisements)",
};

/** An error when forwarding of `family` is off while a non-internal bridge network that needs it has containers. */
function forwardFindings(family: ForwardFamily, value: string | undefined, inUse: readonly NetworkUse[]): Finding[] {
  if (value === undefined || value === "1") return [];
  const routed = inUse.filter((u) => !u.network.internal && driverOf(u.network).throughHost && family.needs(u));
  if (routed.length === 0) return [];
  const which = routed.map((u) => `${u.network.name} (${plural(u.containers, "container")})`).join(", ");
  return [
    {
      code: family.code,
      severity: "error",
      summary: family.summary(routed.map((u) => u.network.name).join(", ")),
      evidence: `${family.sysctl} = ${value}; ${family.which}: ${which}`,
      fix: family.fix,
    },
  ];
}

/** IP_FORWARD_OFF when forwarding is off while a non-internal network has containers. */
export const ipForwardFindings = (value: string | undefined, inUse: readonly NetworkUse[]): Finding[] => forwardFindings(IPV4, value, inUse);

/** IPV6_FORWARD_OFF when IPv6 forwarding is off while a non-internal network with an IPv6 subnet has containers. */
export const ipv6ForwardFindings = (value: string | undefined, inUse: readonly NetworkUse[]): Finding[] => forwardFindings(IPV6, value, inUse);

/** Check 2: read the kernel's ip_forward and IPv6 forwarding (not what Berth wrote when it made the bridge). */
export function checkIpForward(engine: Engine, scope: DoctorScope): Finding[] {
  const inUse = networksInUse(engine, scope.networks);
  return [...ipForwardFindings(readProcValue(IP_FORWARD_PATH), inUse), ...ipv6ForwardFindings(readProcValue(IPV6_FORWARD_PATH), inUse)];
}
