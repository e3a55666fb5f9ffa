import type { Engine } from "./context.js";

/** The engine a resident process lends to the call it is serving. */
export interface ResidentCall {
  readonly engine: Engine;
  /**
   * Whether this call may repair interrupted work first. The service lets
   * only changes do it: they run one at a time, so a repair never races
   * a change another request is in the middle of.
   */
  readonly repair: boolean;
  /** Work the caller need not wait for: run after the reply, before the next change. */
  readonly afterReply?: (work: () => void) => void;
}

/**
 * A process that keeps engines open for many calls (the Berth service,
 * src/service/) registers how to find the current call's here;
 * `withEngine` then uses that engine instead of opening and closing one
 * per call. The finder is asked on every call, so the service can pick the
 * engine of the request being served (it keeps one per set of state paths).
 */
let finder: (() => ResidentCall | undefined) | undefined;

export function setResidentEngineFinder(find: (() => ResidentCall | undefined) | undefined): void {
  finder = find;
}

/** The current call's engine in a resident process, or undefined (open one per call). */
export function residentCall(): ResidentCall | undefined {
  return finder?.();
}

/**
 * Run `work` now, or, in the Berth service, right after the caller has its
 * reply and before the next change starts (so a following call with the
 * same names finds it done). For what only the kernel waits on, such as an
 * unused bridge's deletion (the kernel's RCU grace period). A runtime's
 * veth needs not even that: NetlinkHandle.linkRemoveDetached.
 */
export function afterTheCaller(work: () => void): void {
  const defer = inline > 0 ? undefined : finder?.()?.afterReply;
  if (defer) defer(work);
  else work();
}

/** How many dry runs are in progress (they run one at a time, as changes; see inlineDeferredWork). */
let inline = 0;

/**
 * Until the returned function is called, afterTheCaller() runs its work at
 * once: a dry run's plan must show the steps a real run leaves for after
 * the reply (an unused bridge's deletion), done on its recording engine
 * before its transaction is rolled back.
 */
export function inlineDeferredWork(): () => void {
  inline++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    inline--;
  };
}
