import { tryParseIpv4 } from "./ipv4.js";
import { tryParseIpv6 } from "./ipv6.js";

export type IpFamily = 4 | 6;

/** The family of an address or prefix text ("10.0.0.1", "fd00::/64"), undefined when it is neither. */
export function familyOf(text: string): IpFamily | undefined {
  const addr = text.includes("/") ? text.slice(0, text.indexOf("/")) : text;
  if (tryParseIpv4(addr) !== undefined) return 4;
  if (tryParseIpv6(addr) !== undefined) return 6;
  return undefined;
}

/** "[fd00::1]:8080" or "10.0.0.1:8080": an address and port as URLs and `port` output write them. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
