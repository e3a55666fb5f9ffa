/** How much forwarding the resolver does at once, and for one client. */
export interface ForwardLimits {
  /** Forwards pending at once, all clients together; beyond that a query is answered SERVFAIL at once. @default 2048 */
  readonly maxPending: number;
  /** Forwards pending at once for one client address. @default 256 */
  readonly maxPendingPerClient: number;
  /** Forwards one client may start per second, on average (a token bucket). @default 200 */
  readonly perClientRate: number;
  /** How many a client may start at once after being quiet (the bucket's depth). @default 400 */
  readonly perClientBurst: number;
}

export const DEFAULT_FORWARD_LIMITS: ForwardLimits = { maxPending: 2048, maxPendingPerClient: 256, perClientRate: 200, perClientBurst: 400 };

/** Why a forward was not started. */
export type Admission = "ok" | "full" | "client-full" | "rate";

/** What the gate has seen since the daemon started. */
export interface ForwardStats {
  readonly pending: number;
  readonly peakPending: number;
  readonly forwarded: number;
  readonly refusedFull: number;
  readonly refusedClientFull: number;
  readonly rateLimited: number;
}

// slots of the shared counters
const PENDING = 0;
const PEAK = 1;
const FORWARDED = 2;
const FULL = 3;
const CLIENT_FULL = 4;
const RATE = 5;
const SLOTS = 6;

/** A client's token bucket. */
interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again and may be forgotten. */
const BUCKET_IDLE_MS = 10_000;

/**
 * The bound on the resolver's forwarding, shared by its UDP thread and its
 * main thread through one SharedArrayBuffer of counters: without it one
 * container asking for random names under an outside domain (each one a
 * forward that waits for a slow or silent upstream) queued work without
 * limit and grew the daemon by gigabytes, and every network's outside
 * lookups failed meanwhile.
 *
 * - enter()/leave(): the total of forwards pending (either thread takes a
 *   slot, the main thread gives it back when the forward ends), and each
 *   client's rate (a token bucket per client, kept by the thread that
 *   calls enter(): the UDP thread for UDP, the main thread for TCP).
 * - claimClient()/releaseClient(): forwards pending per client, on the
 *   main thread only (where forwards run).
 * A query refused by the gate is answered SERVFAIL at once; local names
 * never pass through it.
 */
export class ForwardGate {
  readonly limits: ForwardLimits;
  readonly #counters: Int32Array;
  readonly #buckets = new Map<string, Bucket>();
  readonly #perClient = new Map<string, number>();
  #lastPrune = 0;

  private constructor(shared: SharedArrayBuffer, limits: ForwardLimits) {
    this.#counters = new Int32Array(shared);
    this.limits = limits;
  }

  /** A gate with new counters. */
  static create(limits: Partial<ForwardLimits> = {}): ForwardGate {
    return new ForwardGate(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT), { ...DEFAULT_FORWARD_LIMITS, ...limits });
  }

  /** The same counters seen from another thread (its buckets are its own). */
  static attach(shared: SharedArrayBuffer, limits: ForwardLimits): ForwardGate {
    return new ForwardGate(shared, limits);
  }

  /** The counters, to hand to another thread with the limits. */
  get shared(): SharedArrayBuffer {
    return this.#counters.buffer as SharedArrayBuffer;
  }

  /** Take a slot for one forward for `client`, unless its rate or the total is used up. */
  enter(client: string, now = Date.now()): Admission {
    if (!this.#take(client, now)) {
      Atomics.add(this.#counters, RATE, 1);
      return "rate";
    }
    const before = Atomics.add(this.#counters, PENDING, 1);
    if (before >= this.limits.maxPending) {
      Atomics.sub(this.#counters, PENDING, 1);
      Atomics.add(this.#counters, FULL, 1);
      return "full";
    }
    Atomics.add(this.#counters, FORWARDED, 1);
    for (let peak = Atomics.load(this.#counters, PEAK); before + 1 > peak; peak = Atomics.load(this.#counters, PEAK)) {
      if (Atomics.compareExchange(this.#counters, PEAK, peak, before + 1) === peak) break;
    }
    return "ok";
  }

  /** Give back the slot of a forward that ended. */
  leave(): void {
    Atomics.sub(this.#counters, PENDING, 1);
  }

  /** Count one more pending forward for `client` (main thread); false when it has its share already. */
  claimClient(client: string): boolean {
    const n = this.#perClient.get(client) ?? 0;
    if (n >= this.limits.maxPendingPerClient) {
      Atomics.add(this.#counters, CLIENT_FULL, 1);
      return false;
    }
    this.#perClient.set(client, n + 1);
    return true;
  }

  releaseClient(client: string): void {
    const n = (this.#perClient.get(client) ?? 1) - 1;
    if (n <= 0) this.#perClient.delete(client);
    else this.#perClient.set(client, n);
  }

  stats(): ForwardStats {
    const c = this.#counters;
    return {
      pending: Atomics.load(c, PENDING),
      peakPending: Atomics.load(c, PEAK),
      forwarded: Atomics.load(c, FORWARDED),
      refusedFull: Atomics.load(c, FULL),
      refusedClientFull: Atomics.load(c, CLIENT_FULL),
      rateLimited: Atomics.load(c, RATE),
    };
  }

  #take(client: string, now: number): boolean {
    const { perClientRate: rate, perClientBurst: burst } = this.limits;
    let b = this.#buckets.get(client);
    if (b === undefined) {
      if (now - this.#lastPrune > BUCKET_IDLE_MS) this.#prune(now);
      b = { tokens: burst, at: now };
      this.#buckets.set(client, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #prune(now: number): void {
    this.#lastPrune = now;
    for (const [k, b] of this.#buckets) if (now - b.at > BUCKET_IDLE_MS) this.#buckets.delete(k);
  }
}
