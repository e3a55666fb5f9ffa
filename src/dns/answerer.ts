import { slowPath } from "./slow-path.js";
import type { Zone } from "./zone.js";
import { FLAG_QR, HEADER_LENGTH, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP, RCODE_NXDOMAIN, RCODE_REFUSED, RCODE_SERVFAIL, TYPE_A } from "./wire/constants.js";
import { encodeErrorReplyInto } from "./wire/error-reply.js";
import { newFastQuery, parseFastQuery, Verdict } from "./wire/fast-query.js";
import { encodeFastReply, encodeFastReplyInto } from "./wire/fast-reply.js";

/** answerInto() wrote nothing: the packet is not worth a reply. */
export const DROP = 0;
/** answerInto() wrote nothing: the query goes upstream (see Responder). */
export const FORWARD = -1;

export interface AnswererOptions {
  /** Answer single-question A/AAAA queries at the wire level; off sends every packet through dns-packet. @default true */
  readonly fastPath?: boolean;
}

const NO_IPS: readonly number[] = [];

/** The first `n` bytes of `query` hold a whole header with QR clear: worth an error reply, unlike a response or a runt. */
export function isQuery(query: Buffer, n: number): boolean {
  return n >= HEADER_LENGTH && (((query[2]! << 8) | query[3]!) & FLAG_QR) === 0;
}

/**
 * Answers what the zone can answer, into a buffer the caller owns: a
 * single-question A/AAAA query for a container name costs no allocation
 * beyond the name string (the resolver's UDP thread writes the reply
 * straight into its send batch). Queries for other names come back as
 * FORWARD, for the Responder to send upstream. Never throws: garbage is
 * dropped or answered FORMERR/NOTIMP, a bug SERVFAIL. Only containers in
 * the zone are served: any other client (the host, another machine that
 * routes to a gateway) gets REFUSED and nothing is forwarded for it, so
 * the resolver is not an open resolver. A container whose networks are
 * all internal gets REFUSED for every name the zone does not own.
 */
export class LocalAnswerer {
  readonly #source: { readonly zone: Zone };
  readonly #fast: boolean;
  readonly #q = newFastQuery();
  #servfail: () => Buffer = () => Buffer.alloc(0);

  /** `source.zone` is read at the start of each query (the daemon swaps whole zones). */
  constructor(source: { readonly zone: Zone }, opts: AnswererOptions = {}) {
    this.#source = source;
    this.#fast = opts.fastPath ?? true;
  }

  /**
   * Answer the first `n` bytes of `query`, from `clientIp`, received on the
   * listener at `gateway`: the reply's length written into `out`, DROP, or
   * FORWARD. `out` must hold the largest reply `proto` allows (UDP: 1232
   * bytes; TCP: 65535).
   */
  answerInto(query: Buffer, n: number, clientIp: string, gateway: string, proto: "udp" | "tcp", out: Buffer): number {
    try {
      return this.#answer(query, n, clientIp, gateway, proto, out);
    } catch {
      return isQuery(query, n) ? encodeErrorReplyInto(out, query, RCODE_SERVFAIL) : DROP;
    }
  }

  /** The SERVFAIL reply for the query of the last FORWARD, should no upstream answer (valid while that query's bytes are). */
  get servfail(): () => Buffer {
    return this.#servfail;
  }

  #answer(query: Buffer, n: number, clientIp: string, gateway: string, proto: "udp" | "tcp", out: Buffer): number {
    const zone = this.#source.zone;
    if (!zone.knowsClient(clientIp)) return isQuery(query, n) ? encodeErrorReplyInto(out, query, RCODE_REFUSED) : DROP;
    if (this.#fast) {
      const q = this.#q;
      const verdict = parseFastQuery(query, q, n);
      const max = proto === "tcp" ? 65535 : q.udpMax;
      switch (verdict) {
        case Verdict.Drop:
          return DROP;
        case Verdict.FormErr:
          return encodeErrorReplyInto(out, query, RCODE_FORMERR);
        case Verdict.NotImp:
          return q.hasQuestion ? encodeFastReplyInto(out, query, q, RCODE_NOTIMP, NO_IPS, max) : encodeErrorReplyInto(out, query, RCODE_NOTIMP);
        case Verdict.Fast: {
          const r = zone.lookupName(clientIp, gateway, q.name);
          // AAAA answers with addresses are built by the full encoder (the fast path writes A records only)
          if (r.kind === "local" && q.qtype !== TYPE_A && r.ips6.length > 0) break;
          if (r.kind === "local") return encodeFastReplyInto(out, query, q, RCODE_NOERROR, q.qtype === TYPE_A ? r.ips : NO_IPS, max);
          if (r.kind === "nxdomain") return encodeFastReplyInto(out, query, q, RCODE_NXDOMAIN, NO_IPS, max);
          if (r.kind === "refused") return encodeFastReplyInto(out, query, q, RCODE_REFUSED, NO_IPS, max);
          const snapshot = { ...q };
          this.#servfail = () => encodeFastReply(query, snapshot, RCODE_SERVFAIL, NO_IPS, 65535);
          return FORWARD;
        }
        case Verdict.Other:
          break;
      }
    }
    const outcome = slowPath(zone, n === query.length ? query : query.subarray(0, n), clientIp, gateway, proto);
    if (outcome.kind === "drop") return DROP;
    if (outcome.kind === "forward") {
      this.#servfail = outcome.servfail;
      return FORWARD;
    }
    if (outcome.reply.length > out.length) return encodeErrorReplyInto(out, query, RCODE_SERVFAIL);
    return outcome.reply.copy(out);
  }
}
