/**
 * Changes are made one at a time; reads run alongside. The engine's kernel
 * and store calls are synchronous, so two requests only interleave at an
 * await: a change that awaits (the runtime, the resolver's reload) must
 * not let another change start on state it has half-made. SQLite's write
 * lock still serialises the service with any berth process running on its
 * own (a foreground `run`, the development fallback).
 */
export class MutationQueue {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  #running = false;

  /** Changes queued or running. */
  get depth(): number {
    return this.#waiting + (this.#running ? 1 : 0);
  }

  /** Run `fn` after every change queued before it has finished. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Wait for the turn; call the returned function (once) when the change is done. */
  async acquire(): Promise<() => void> {
    this.#waiting++;
    const start = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => (release = r));
    await start;
    this.#waiting--;
    this.#running = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running = false;
      release();
    };
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.depth > 0) await this.#tail;
  }
}
