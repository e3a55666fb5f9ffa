import type { Forwarder } from "./forwarder.js";
import type { ResolverState } from "./resolver-state.js";
import { slowPath } from "./slow-path.js";
import { FLAG_QR, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP, RCODE_NXDOMAIN, RCODE_REFUSED, RCODE_SERVFAIL, TYPE_A } from "./wire/constants.js";
import { encodeErrorReply } from "./wire/error-reply.js";
import { newFastQuery, parseFastQuery, Verdict } from "./wire/fast-query.js";
import { encodeFastReply } from "./wire/fast-reply.js";

export type Reply = Buffer | undefined;

export interface ResponderOptions {
  /** Answer single-question A/AAAA queries at the wire level; off sends every packet through dns-packet. @default true */
  readonly fastPath?: boolean;
}

const NO_IPS: readonly number[] = [];

/**
 * Turns one query into its reply. Local answers come back synchronously
 * (no promise, no allocation beyond the reply on the fast path); only
 * forwarded queries return a promise. Never throws: garbage is dropped or
 * answered FORMERR/NOTIMP. Only containers in the zone are served: any
 * other client (the host, another machine that routes to a gateway) gets
 * REFUSED and nothing is forwarded for it, so the resolver is not an open
 * resolver.
 */
export class Responder {
  readonly #state: ResolverState;
  readonly #fwd: Forwarder;
  readonly #fast: boolean;
  readonly #q = newFastQuery();

  constructor(state: ResolverState, fwd: Forwarder, opts: ResponderOptions = {}) {
    this.#state = state;
    this.#fwd = fwd;
    this.#fast = opts.fastPath ?? true;
  }

  /** The reply to `query` from `clientIp`, received on the listener at `gateway`. */
  respond(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp"): Reply | Promise<Reply> {
    try {
      return this.#respond(query, clientIp, gateway, proto);
    } catch {
      return query.length >= 12 && (query[2]! & 0x80) === 0 ? encodeErrorReply(query, RCODE_SERVFAIL) : undefined;
    }
  }

  #respond(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp"): Reply | Promise<Reply> {
    const zone = this.#state.zone;
    if (!zone.knowsClient(clientIp)) {
      return query.length >= 12 && (query.readUInt16BE(2) & FLAG_QR) === 0 ? encodeErrorReply(query, RCODE_REFUSED) : undefined;
    }
    if (this.#fast) {
      const q = this.#q;
      const verdict = parseFastQuery(query, q);
      const max = proto === "tcp" ? 65535 : q.udpMax;
      switch (verdict) {
        case Verdict.Drop:
          return undefined;
        case Verdict.FormErr:
          return encodeErrorReply(query, RCODE_FORMERR);
        case Verdict.NotImp:
          return q.hasQuestion ? encodeFastReply(query, q, RCODE_NOTIMP, NO_IPS, max) : encodeErrorReply(query, RCODE_NOTIMP);
        case Verdict.Fast: {
          const r = zone.lookupName(clientIp, gateway, q.name);
          // AAAA answers with addresses are built by the full encoder (the fast path writes A records only)
          if (r.kind === "local" && q.qtype !== TYPE_A && r.ips6.length > 0) break;
          if (r.kind === "local") return encodeFastReply(query, q, RCODE_NOERROR, q.qtype === TYPE_A ? r.ips : NO_IPS, max);
          if (r.kind === "nxdomain") return encodeFastReply(query, q, RCODE_NXDOMAIN, NO_IPS, max);
          const snapshot = { ...q };
          const servfail = () => encodeFastReply(query, snapshot, RCODE_SERVFAIL, NO_IPS, 65535);
          return this.#forward(query, clientIp, gateway, proto, servfail);
        }
        case Verdict.Other:
          break;
      }
    }
    const out = slowPath(zone, query, clientIp, gateway, proto);
    if (out.kind === "reply") return out.reply;
    if (out.kind === "drop") return undefined;
    return this.#forward(query, clientIp, gateway, proto, out.servfail);
  }

  async #forward(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp", servfail: () => Buffer): Promise<Reply> {
    const s = this.#state;
    const own = s.zone.upstreamsFor(clientIp, gateway).filter((x) => !s.ownAddresses.has(x));
    const servers = own.length > 0 ? own : s.hostUpstreams;
    const reply = await this.#fwd.forward(query, servers, proto);
    return reply ?? servfail();
  }
}
