import { parseUpstream, type Upstream } from "./upstream.js";
import { tcpExchange, udpAttempt, type UdpAttempt } from "./upstream-transport.js";

export interface ForwarderOptions {
  /** Wait this long for a server before also asking the next one (and marking it down). @default 800 */
  readonly failoverMs?: number;
  /** Keep a server that did not answer at the back of the line this long. @default 30000 */
  readonly downForMs?: number;
  /** Give up on a UDP query this long after the last server was asked. @default 1500 */
  readonly lingerMs?: number;
  /** TCP: connect timeout per server, and reply timeout once connected. @default 800, 3000 */
  readonly tcpConnectMs?: number;
  readonly tcpReplyMs?: number;
  /** Forwarded queries in flight at once; beyond that the client gets SERVFAIL. @default 4096 */
  readonly maxInFlight?: number;
}

/**
 * Forwards queries upstream with the client's own protocol. Servers are
 * tried in order, those believed up first. Over UDP a silent server is not
 * waited out: after `failoverMs` the next one is asked too (the first may
 * still answer; the first reply wins), and the silent one is remembered as
 * down for `downForMs`, so later lookups go straight to a live server. A
 * closed port (ICMP unreachable) fails over at once.
 */
export class Forwarder {
  readonly #downUntil = new Map<string, number>();
  readonly #parsed = new Map<string, Upstream | undefined>();
  readonly #o: Required<ForwarderOptions>;
  #inFlight = 0;

  constructor(opts: ForwarderOptions = {}) {
    this.#o = {
      failoverMs: opts.failoverMs ?? 800,
      downForMs: opts.downForMs ?? 30_000,
      lingerMs: opts.lingerMs ?? 1500,
      tcpConnectMs: opts.tcpConnectMs ?? 800,
      tcpReplyMs: opts.tcpReplyMs ?? 3000,
      maxInFlight: opts.maxInFlight ?? 4096,
    };
  }

  /** Queries being forwarded right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True while `server` is remembered as down. */
  isDown(server: string): boolean {
    return (this.#downUntil.get(server) ?? 0) > Date.now();
  }

  /** Forward `query` to `servers` over `proto`; undefined when none answered (the caller replies SERVFAIL). */
  async forward(query: Buffer, servers: readonly string[], proto: "udp" | "tcp"): Promise<Buffer | undefined> {
    const order = this.#order(servers);
    if (order.length === 0 || this.#inFlight >= this.#o.maxInFlight) return undefined;
    this.#inFlight++;
    try {
      return proto === "udp" ? await this.#udp(query, order) : await this.#tcp(query, order);
    } finally {
      this.#inFlight--;
    }
  }

  /** Parsed servers, those believed up first, the ones marked down last (still a last resort). */
  #order(servers: readonly string[]): Upstream[] {
    const now = Date.now();
    const up: Upstream[] = [];
    const down: Upstream[] = [];
    for (const s of servers) {
      let u = this.#parsed.get(s);
      if (u === undefined && !this.#parsed.has(s)) {
        u = parseUpstream(s);
        if (this.#parsed.size > 1024) this.#parsed.clear();
        this.#parsed.set(s, u);
      }
      if (!u || up.includes(u) || down.includes(u)) continue;
      ((this.#downUntil.get(s) ?? 0) > now ? down : up).push(u);
    }
    return [...up, ...down];
  }

  #markDown(u: Upstream): void {
    this.#downUntil.set(u.key, Date.now() + this.#o.downForMs);
  }

  #markUp(u: Upstream): void {
    this.#downUntil.delete(u.key);
  }

  #udp(query: Buffer, order: readonly Upstream[]): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const attempts: UdpAttempt[] = [];
      let next = 0;
      let failures = 0;
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (reply: Buffer | undefined) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        for (const a of attempts) a.cancel();
        resolve(reply);
      };
      const launch = () => {
        clearTimeout(timer);
        if (next >= order.length) {
          timer = setTimeout(() => finish(undefined), this.#o.lingerMs);
          return;
        }
        const u = order[next++]!;
        let failed = false;
        attempts.push(
          udpAttempt(
            query,
            u,
            (reply) => {
              this.#markUp(u);
              finish(reply);
            },
            () => {
              if (failed || finished) return;
              failed = true;
              this.#markDown(u);
              if (++failures === order.length) finish(undefined);
              else if (attempts.length === next) launch(); // the newest attempt failed: move on now
            },
          ),
        );
        timer = setTimeout(() => {
          if (!failed) this.#markDown(u);
          launch();
        }, this.#o.failoverMs);
      };
      launch();
    });
  }

  async #tcp(query: Buffer, order: readonly Upstream[]): Promise<Buffer | undefined> {
    for (const u of order) {
      const reply = await tcpExchange(query, u, this.#o.tcpConnectMs, this.#o.tcpReplyMs);
      if (reply) {
        this.#markUp(u);
        return reply;
      }
      this.#markDown(u);
    }
    return undefined;
  }
}
