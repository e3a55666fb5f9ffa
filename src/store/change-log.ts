/**
 * What this process's store writes touched since the last `take()`, for
 * work that follows a change and should cost only what changed: the DNS
 * zone the engine publishes (`engine/sync/dns-sync.ts`) re-reads just these
 * containers. A write that rolls back leaves its ids here; that costs a
 * needless re-read, never a missed change. Changes other processes commit
 * are not here: their readers compare `Store.changeCounter()`.
 */
export class ChangeLog {
  #containers = new Set<string>();
  #networks = false;

  /** A container's row, or one of its attachments, was inserted, changed or deleted. */
  container(id: string): void {
    this.#containers.add(id);
  }

  /** A network was inserted or deleted, or its DNS settings changed. */
  network(): void {
    this.#networks = true;
  }

  /** Note again what a take() returned (a dry run gives back what it took from the store it borrows). */
  add(changes: { readonly containers: ReadonlySet<string>; readonly networks: boolean }): void {
    for (const id of changes.containers) this.#containers.add(id);
    if (changes.networks) this.#networks = true;
  }

  /** What changed since the last call, and start over. */
  take(): { readonly containers: ReadonlySet<string>; readonly networks: boolean } {
    const out = { containers: this.#containers, networks: this.#networks };
    this.#containers = new Set();
    this.#networks = false;
    return out;
  }
}
