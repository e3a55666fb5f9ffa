import dnsPacket from "dns-packet";
import {
  EDNS_PAYLOAD,
  FLAG_AA,
  FLAG_CD,
  FLAG_QR,
  FLAG_RA,
  FLAG_RD,
  FLAG_TC,
  OPCODE_MASK,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  UDP_PLAIN_MAX,
} from "./wire/constants.js";
import { encodeErrorReply } from "./wire/error-reply.js";
import { formatIpv4 } from "../model/ipv4.js";
import { inServedDomain, reverseNameToIpv4, reverseNameToIpv6, type Zone } from "./zone.js";

/**
 * True when dns-packet can encode `name` back to the labels it came as:
 * printable ASCII, and no label holding a dot that would split into an
 * empty label ("a..b", ".a").
 */
function echoable(name: string): boolean {
  if (name === ".") return true;
  return /^[\x20-\x7e]*$/.test(name) && !name.startsWith(".") && !name.includes("..");
}

/** The slow path's decision: a finished reply, nothing, or forward with a SERVFAIL ready if that fails. */
export type SlowOutcome =
  { readonly kind: "reply"; readonly reply: Buffer } | { readonly kind: "drop" } | { readonly kind: "forward"; readonly servfail: () => Buffer };

const DROP: SlowOutcome = { kind: "drop" };

function reply(r: Buffer): SlowOutcome {
  return { kind: "reply", reply: r };
}

/**
 * Answer any query with the full decoder (dns-packet): every packet the
 * fast path does not take, and every packet when the fast path is off.
 * Same answers as the fast path, plus PTR, ANY and NODATA for other types.
 */
export function slowPath(zone: Zone, query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp"): SlowOutcome {
  if (query.length < 12) return DROP;
  const flags = query.readUInt16BE(2);
  if (flags & FLAG_QR) return DROP;
  if (flags & OPCODE_MASK) return reply(encodeErrorReply(query, RCODE_NOTIMP));
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return reply(encodeErrorReply(query, RCODE_FORMERR));
  }
  const q = packet.questions?.[0];
  if (!q || packet.questions?.length !== 1) return reply(encodeErrorReply(query, RCODE_FORMERR));
  const opt = packet.additionals?.find((a): a is dnsPacket.OptAnswer => a.type === "OPT");
  const max = proto === "tcp" ? 65535 : opt ? Math.min(Math.max(opt.udpPayloadSize, UDP_PLAIN_MAX), EDNS_PAYLOAD) : UDP_PLAIN_MAX;
  const build = (rcode: number, answers: dnsPacket.Answer[]): Buffer => {
    const base = {
      id: packet.id ?? 0,
      type: "response" as const,
      flags: FLAG_AA | FLAG_RA | (flags & (FLAG_RD | FLAG_CD)) | rcode,
      questions: [q],
      additionals: opt
        ? [{ type: "OPT" as const, name: ".", udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
        : [],
    };
    const full = dnsPacket.encode({ ...base, answers });
    return full.length <= max ? full : dnsPacket.encode({ ...base, flags: base.flags | FLAG_TC, answers: [] });
  };
  const respond = (rcode: number, answers: dnsPacket.Answer[]): SlowOutcome => reply(build(rcode, answers));
  const name = q.name.toLowerCase().replace(/\.$/, "");
  if (!echoable(q.name)) {
    if (q.class !== "IN") return reply(encodeErrorReply(query, RCODE_NOTIMP));
    // dns-packet could not write this question back as it came (it reads labels as UTF-8
    // and joins them with dots): no container has such a name, so forward it untouched
    // (or refuse it in our domain) with replies that do not echo it
    if (inServedDomain(name)) return reply(encodeErrorReply(query, RCODE_NXDOMAIN));
    if (!zone.mayForward(clientIp, gateway)) return reply(encodeErrorReply(query, RCODE_REFUSED));
    return { kind: "forward", servfail: () => encodeErrorReply(query, RCODE_SERVFAIL) };
  }
  if (q.class !== "IN") return respond(RCODE_NOTIMP, []);
  const forward: SlowOutcome = zone.mayForward(clientIp, gateway) ? { kind: "forward", servfail: () => build(RCODE_SERVFAIL, []) } : respond(RCODE_REFUSED, []);

  if (q.type === "AXFR" || q.type === "IXFR") return respond(RCODE_NOTIMP, []);
  if (q.type === "PTR") {
    const ip = reverseNameToIpv4(name);
    if (ip !== undefined) {
      const r = zone.lookupAddress(clientIp, gateway, ip);
      if (r.kind === "ptr")
        return respond(
          RCODE_NOERROR,
          r.names.map((n) => ({ type: "PTR" as const, class: "IN" as const, name: q.name, ttl: 0, data: n })),
        );
      return r.kind === "nxdomain" ? respond(RCODE_NXDOMAIN, []) : forward;
    }
    const ip6 = reverseNameToIpv6(name);
    if (ip6 !== undefined) {
      const r = zone.lookupAddress6(clientIp, gateway, ip6);
      if (r.kind === "ptr")
        return respond(
          RCODE_NOERROR,
          r.names.map((n) => ({ type: "PTR" as const, class: "IN" as const, name: q.name, ttl: 0, data: n })),
        );
      return r.kind === "nxdomain" ? respond(RCODE_NXDOMAIN, []) : forward;
    }
  }
  const r = zone.lookupName(clientIp, gateway, name);
  if (r.kind === "nxdomain") return respond(RCODE_NXDOMAIN, []);
  if (r.kind === "forward" || r.kind === "refused") return forward;
  const any = (q.type as string) === "ANY";
  const a = q.type === "A" || any ? r.ips.map((ip) => ({ type: "A" as const, class: "IN" as const, name: q.name, ttl: 0, data: formatIpv4(ip) })) : [];
  const aaaa = q.type === "AAAA" || any ? r.ips6.map((ip) => ({ type: "AAAA" as const, class: "IN" as const, name: q.name, ttl: 0, data: ip })) : [];
  return respond(RCODE_NOERROR, [...a, ...aaaa]);
}
