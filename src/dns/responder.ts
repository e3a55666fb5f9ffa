import { DROP, FORWARD, LocalAnswerer, type AnswererOptions } from "./answerer.js";
import type { Forwarder } from "./forwarder.js";
import type { ResolverState } from "./resolver-state.js";
import { ForwardGate } from "./forward-gate.js";

export type Reply = Buffer | undefined;

export interface ResponderOptions extends AnswererOptions {
  /** The bound on forwarding (shared with the UDP thread in the daemon). @default a gate of its own with the default limits */
  readonly gate?: ForwardGate;
}

/**
 * Turns one query into its reply: what the zone answers (LocalAnswerer),
 * else the upstream's answer. Local answers come back synchronously; only
 * forwarded queries return a promise. A query the forwarding gate turns
 * away (too many pending, or the client asks too fast) is answered
 * SERVFAIL at once. Never throws.
 */
export class Responder {
  readonly #state: ResolverState;
  readonly #fwd: Forwarder;
  readonly #local: LocalAnswerer;
  readonly #gate: ForwardGate;
  readonly #out = Buffer.allocUnsafe(65535);

  constructor(state: ResolverState, fwd: Forwarder, opts: ResponderOptions = {}) {
    this.#state = state;
    this.#fwd = fwd;
    this.#local = new LocalAnswerer(state, opts);
    this.#gate = opts.gate ?? ForwardGate.create();
  }

  /**
   * The reply to `query` from `clientIp`, received on the listener at
   * `gateway`. `admitted`: the caller (the UDP thread) already took the
   * query's slot in the gate; the reply gives it back.
   */
  respond(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp", admitted = false): Reply | Promise<Reply> {
    const n = this.#local.answerInto(query, query.length, clientIp, gateway, proto, this.#out);
    // the zone may have changed since the UDP thread looked
    if (n !== FORWARD && admitted) this.#gate.leave();
    if (n > 0) return Buffer.from(this.#out.subarray(0, n));
    if (n === DROP) return undefined;
    const servfail = this.#local.servfail;
    if (!admitted && this.#gate.enter(clientIp) !== "ok") return servfail();
    if (!this.#gate.claimClient(clientIp)) {
      this.#gate.leave();
      return servfail();
    }
    return this.#forward(query, clientIp, gateway, proto, servfail).finally(() => {
      this.#gate.leave();
      this.#gate.releaseClient(clientIp);
    });
  }

  async #forward(query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp", servfail: () => Buffer): Promise<Reply> {
    const s = this.#state;
    const own = s.zone.upstreamsFor(clientIp, gateway).filter((x) => !s.ownAddresses.has(x));
    const servers = own.length > 0 ? own : s.hostUpstreams;
    const reply = await this.#fwd.forward(query, servers, proto);
    return reply ?? servfail();
  }
}
