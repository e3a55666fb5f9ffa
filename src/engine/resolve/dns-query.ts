import dnsPacket from "dns-packet";
import { randomInt } from "node:crypto";
import { udpExchange } from "../../kernel/udp-exchange.js";
import { parseUpstream } from "../../dns/upstream.js";
import { errnoText } from "../../errors.js";

/** What one DNS query to one server got. */
export type DnsQueryOutcome =
  /** A reply: its rcode (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...) and the addresses in it. */
  | { readonly kind: "reply"; readonly rcode: string; readonly addresses: readonly string[] }
  | { readonly kind: "timeout"; readonly afterMs: number }
  /** The kernel said no at once: no route to the server, or ICMP port/host unreachable. */
  | { readonly kind: "unreachable"; readonly reason: string };

const RCODES: Readonly<Record<number, string>> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

export type QueryType = "A" | "AAAA" | "NS";

/**
 * Ask `server` ("IP" or "IP#PORT") for `name` over UDP, from inside the
 * network namespace `netns` (the host's when undefined), waiting at most
 * `timeoutMs`. A real query on the wire: what a process there would get.
 */
export function queryDns(netns: string | undefined, server: string, name: string, type: QueryType, timeoutMs: number): DnsQueryOutcome {
  const u = parseUpstream(server);
  if (!u) return { kind: "unreachable", reason: `"${server}" is not an IP address` };
  const id = randomInt(0, 0x10000);
  const query = dnsPacket.encode({ type: "query", id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }] });
  const r = udpExchange(netns, u.host, u.port, query, timeoutMs, (reply) => reply.length >= 2 && reply.readUInt16BE(0) === id);
  if (r.kind === "timeout") return { kind: "timeout", afterMs: r.afterMs };
  if (r.kind === "error") return { kind: "unreachable", reason: errnoText(r.errno) };
  try {
    const p = dnsPacket.decode(r.data);
    const addresses = (p.answers ?? []).flatMap((a) => ((a.type === "A" || a.type === "AAAA") && typeof a.data === "string" ? [a.data] : []));
    const code = r.data.readUInt16BE(2) & 0xf;
    return { kind: "reply", rcode: RCODES[code] ?? `rcode ${code}`, addresses };
  } catch {
    return { kind: "reply", rcode: "FORMERR (an undecodable reply)", addresses: [] };
  }
}

/** The outcome in words: "answered 10.89.0.2", "NXDOMAIN", "no reply within 1000 ms", "unreachable: no route to host". */
export function describeOutcome(o: DnsQueryOutcome): string {
  switch (o.kind) {
    case "reply":
      return o.rcode === "NOERROR" ? (o.addresses.length > 0 ? `answered ${o.addresses.join(", ")}` : "answered, with no address") : `answered ${o.rcode}`;
    case "timeout":
      return `no reply within ${o.afterMs} ms`;
    case "unreachable":
      return `unreachable: ${o.reason}`;
  }
}
