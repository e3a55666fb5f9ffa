import { DROP, LocalAnswerer, type AnswererOptions } from "./answerer.js";
import type { Forwarder } from "./forwarder.js";
import type { ResolverState } from "./resolver-state.js";

export type Reply = Buffer | undefined;

export type ResponderOptions = AnswererOptions;

/**
 * Turns one query into its reply: what the zone answers (LocalAnswerer),
 * else the upstream's answer. Local answers come back synchronously; only
 * forwarded queries return a promise. Never throws.
 */
export class Responder {
  readonly #state: ResolverState;
  readonly #fwd: Forwarder;
  readonly #local: LocalAnswerer;
  readonly #out = Buffer.allocUnsafe(65535);

  constructor(state: ResolverState, fwd: Forwarder, opts: ResponderOptions = {}) {
    this.#state = state;
    this.#fwd = fwd;
    this.#local = new LocalAnswerer(state, opts);
  }

  /** The reply to `query` from `clientIp`, received on the listener at `gateway`. */
  respond(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp"): Reply | Promise<Reply> {
    const n = this.#local.answerInto(query, query.length, clientIp, gateway, proto, this.#out);
    if (n > 0) return Buffer.from(this.#out.subarray(0, n));
    if (n === DROP) return undefined;
    return this.#forward(query, clientIp, gateway, proto, this.#local.servfail);
  }

  async #forward(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp", servfail: () => Buffer): Promise<Reply> {
    const s = this.#state;
    const own = s.zone.upstreamsFor(clientIp, gateway).filter((x) => !s.ownAddresses.has(x));
    const servers = own.length > 0 ? own : s.hostUpstreams;
    const reply = await this.#fwd.forward(query, servers, proto);
    return reply ?? servfail();
  }
}
