import { existsSync } from "node:fs";
import { BerthError } from "../../errors.js";
import { sysctlRead } from "../../kernel/index.js";

/**
 * Fail when the host has IPv6 turned off and a network needs it: the
 * administrator's switch (`net.ipv6.conf.all.disable_ipv6=1`, or a kernel
 * booted with `ipv6.disable=1`, which has no /proc/sys/net/ipv6) is not
 * overridden per bridge. IPv4-only networks do not call this. Reads the
 * namespace the calling thread is in (the host's, for the engine).
 */
export function requireHostIpv6(networkName: string): void {
  const off = !existsSync("/proc/sys/net/ipv6") || sysctlRead("net.ipv6.conf.all.disable_ipv6") === "1";
  if (!off) return;
  throw new BerthError("IPV6_DISABLED", `Network "${networkName}" has an IPv6 subnet, and IPv6 is disabled on this host (net.ipv6.conf.all.disable_ipv6=1)`, {
    hint: "Turn IPv6 on with `sysctl -w net.ipv6.conf.all.disable_ipv6=0`, or use a network with only an IPv4 subnet",
  });
}
