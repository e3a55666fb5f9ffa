/**
 * Kernel work this process started and does not wait for (a link's
 * deletion finishing on libuv's thread pool): a resident process waits for
 * it before it exits, so that nothing it started is left half-done.
 */
const pending = new Set<Promise<unknown>>();

/** Keep track of `work` until it settles; returns it. */
export function inBackground<T>(work: Promise<T>): Promise<T> {
  pending.add(work);
  const forget = () => pending.delete(work);
  work.then(forget, forget);
  return work;
}

/** Resolves once every piece of background work started so far (and any it started) has settled. */
export async function backgroundSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
