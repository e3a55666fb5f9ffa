import { isIP } from "node:net";

/** An upstream DNS server. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** As written in the configuration: the key for down-server memory. */
  readonly key: string;
}

/** "1.2.3.4", "2001:db8::1", or with a port as dig writes it: "1.2.3.4#5353" (tests and benchmarks). */
export function parseUpstream(text: string): Upstream | undefined {
  const hash = text.lastIndexOf("#");
  const host = hash < 0 ? text : text.slice(0, hash);
  const portText = hash < 0 ? "53" : text.slice(hash + 1);
  const family = isIP(host);
  if ((family !== 4 && family !== 6) || !/^[1-9][0-9]{0,4}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port, family, key: text };
}

/**
 * Nameservers listed in a resolv.conf text, in order. Loopback ones stay:
 * the resolver runs in the host's namespace, where 127.0.0.53 and the like
 * are reachable (containers could not reach them directly). Scoped IPv6
 * addresses (fe80::1%eth0) are skipped.
 */
export function nameserversOf(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== "nameserver" || words[1] === undefined) continue;
    if (isIP(words[1]) !== 0 && !words[1].includes("%") && !out.includes(words[1])) out.push(words[1]);
  }
  return out;
}
