import { BerthError } from "../errors.js";

/** How long a change waits for its turn unless BERTH_CHANGE_WAIT (seconds) says otherwise. */
export const DEFAULT_CHANGE_WAIT_MS = 300_000;

/** BERTH_CHANGE_WAIT in milliseconds; the default when unset or not a positive number. */
export function changeWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env["BERTH_CHANGE_WAIT"]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : DEFAULT_CHANGE_WAIT_MS;
}

interface Waiter {
  readonly what: string;
  /** Give it the turn. */
  readonly grant: () => void;
}

/**
 * Changes are made one at a time; reads run alongside. The engine's kernel
 * and store calls are synchronous, so two requests only interleave at an
 * await: a change that awaits (the runtime, the resolver's reload) must
 * not let another change start on state it has half-made. SQLite's write
 * lock still serialises the service with any berth process running on its
 * own (a foreground `run`, the development fallback).
 *
 * A change that never ends (a runtime or the kernel that does not answer)
 * would hold every later one forever, each client kept waiting by the
 * service's "pending" lines. So a change waits its turn at most
 * `waitLimitMs`; then it is dropped from the queue, never started, and
 * fails with SERVICE_BUSY naming the change that holds the turn.
 */
export class MutationQueue {
  readonly #waiting: Waiter[] = [];
  readonly #idle: (() => void)[] = [];
  #holder: { readonly what: string; readonly since: number } | undefined;

  constructor(
    readonly waitLimitMs: number = changeWaitMs(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Changes queued or running. */
  get depth(): number {
    return this.#waiting.length + (this.#holder === undefined ? 0 : 1);
  }

  /** Run `fn` after every change queued before it has finished. `what` names it to those waiting behind it. */
  async run<T>(fn: () => Promise<T>, what?: string): Promise<T> {
    const release = await this.acquire(what);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Wait for the turn; call the returned function (once) when the change is done. */
  acquire(what = "a change"): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        what,
        grant: () => {
          clearTimeout(timer);
          this.#holder = { what, since: this.now() };
          resolve(this.#release());
        },
      };
      if (this.#holder === undefined && this.#waiting.length === 0) {
        waiter.grant();
        return;
      }
      this.#waiting.push(waiter);
      timer = setTimeout(() => {
        const at = this.#waiting.indexOf(waiter);
        if (at < 0) return;
        this.#waiting.splice(at, 1);
        reject(this.#busy());
        if (this.depth === 0) this.#wakeIdle();
      }, this.waitLimitMs);
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holder = undefined;
      const next = this.#waiting.shift();
      if (next !== undefined) next.grant();
      else this.#wakeIdle();
    };
  }

  #wakeIdle(): void {
    for (const r of this.#idle.splice(0)) r();
  }

  #busy(): BerthError {
    const h = this.#holder;
    const held = h === undefined ? "" : `: ${h.what}, for ${Math.round((this.now() - h.since) / 1000)} s`;
    return new BerthError(
      "SERVICE_BUSY",
      `This change waited ${Math.round(this.waitLimitMs / 1000)} s for its turn and was not started; another change holds the Berth service${held}`,
      {
        hint: `If that change is stuck (a runtime or the kernel not answering), see what the service waits on (\`ps -o pid,etime,args --ppid ${process.pid}\`) and stop it, then run this again; BERTH_CHANGE_WAIT (seconds, default ${DEFAULT_CHANGE_WAIT_MS / 1000}) sets how long a change waits`,
      },
    );
  }
}
