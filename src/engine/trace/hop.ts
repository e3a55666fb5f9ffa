/** One step of a connection's path, checked on the live host. */
export interface TraceHop {
  /** What this step is: "host address", "nft map element", "bridge", ... */
  readonly step: string;
  readonly ok: boolean;
  /** The real object seen (or missing) at this step. */
  readonly detail: string;
  /** What to do, when the path breaks here. */
  readonly fix?: string;
}

/** A traced path: its hops up to the first broken one, and the verdict. */
export interface TraceResult {
  /** The connection, as the user gave it. */
  readonly connection: string;
  readonly hops: readonly TraceHop[];
  readonly reachable: boolean;
  /** "reachable: ..." or "breaks at STEP: ..." */
  readonly verdict: string;
}

/** Collects hops; `fail` records the broken one, after which the path ends. */
export class HopList {
  readonly hops: TraceHop[] = [];
  #broken: TraceHop | undefined;

  ok(step: string, detail: string): void {
    this.hops.push({ step, ok: true, detail });
  }

  /** Record the hop where the path breaks and return false (callers `return` on it). */
  fail(step: string, detail: string, fix: string): false {
    const hop = { step, ok: false, detail, fix };
    this.hops.push(hop);
    this.#broken ??= hop;
    return false;
  }

  result(connection: string, reachableAs: string): TraceResult {
    const b = this.#broken;
    return b
      ? { connection, hops: this.hops, reachable: false, verdict: `breaks at ${b.step}: ${b.detail}` }
      : { connection, hops: this.hops, reachable: true, verdict: `reachable: ${reachableAs}` };
  }
}
