/** What one reader of a ChangeLog has not yet taken. */
export interface Changes {
  readonly containers: ReadonlySet<string>;
  readonly networks: boolean;
}

/** A reader of its own over the same store writes (see ChangeLog.reader). */
export interface ChangeReader {
  /** What changed since this reader's last take(), and start over. */
  take(): Changes;
  /** Stop noting changes for this reader. */
  close(): void;
}

class Pending {
  containers = new Set<string>();
  networks = false;

  take(): Changes {
    const out = { containers: this.containers, networks: this.networks };
    this.containers = new Set();
    this.networks = false;
    return out;
  }
}

/**
 * What this process's store writes touched since the last `take()`, for
 * work that follows a change and should cost only what changed: the DNS
 * zone the engine publishes (`engine/sync/dns-sync.ts`) re-reads just these
 * containers, and the service's event stream (`service/events.ts`), a
 * reader of its own, compares just these. A write that rolls back leaves
 * its ids here; that costs a needless re-read, never a missed change.
 * Changes other processes commit are not here: their readers compare
 * `Store.changeCounter()`.
 */
export class ChangeLog {
  readonly #own = new Pending();
  readonly #readers = new Set<Pending>([this.#own]);

  /** A container's row, one of its attachments or one of its published ports was inserted, changed or deleted. */
  container(id: string): void {
    for (const r of this.#readers) r.containers.add(id);
  }

  /** A network was inserted or deleted, or its DNS settings changed. */
  network(): void {
    for (const r of this.#readers) r.networks = true;
  }

  /** Note again what a take() returned (a dry run gives back what it took from the store it borrows). */
  add(changes: Changes): void {
    for (const id of changes.containers) this.#own.containers.add(id);
    if (changes.networks) this.#own.networks = true;
  }

  /** What changed since the last call, and start over. */
  take(): Changes {
    return this.#own.take();
  }

  /** Another reader of the same changes, with a take() of its own: what the owner's take() hands over stays here for it. */
  reader(): ChangeReader {
    const pending = new Pending();
    this.#readers.add(pending);
    return { take: () => pending.take(), close: () => this.#readers.delete(pending) };
  }
}
