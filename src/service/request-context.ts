import { AsyncLocalStorage } from "node:async_hooks";
import type { Engine } from "../engine/index.js";

/**
 * What one request being served has of its own in the shared service
 * process: the engine for its state paths, and the output the code it runs
 * writes to process.stdout and process.stderr (the CLI's verbs and the
 * adapters' debug output), captured instead of going to the service's log.
 */
export interface RequestContext {
  /** The engine for the request's state paths (opened on first use). */
  readonly engine: () => Engine;
  /** Only changes repair interrupted work (they run one at a time). */
  repair: boolean;
  /** Work deferred until the caller has its reply (engine/resident.ts afterTheCaller); changes only. */
  readonly afterReply?: (() => void)[];
  readonly stdout: Buffer[];
  readonly stderr: Buffer[];
}

const current = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return current.getStore();
}

export function inRequest<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  return current.run(ctx, fn);
}

/**
 * Run `fn` outside any request: what it sets up (a listener, a timer)
 * and the callbacks those start do not belong to the request being served
 * now, whose output buffers are gone once it has replied.
 */
export function outsideRequest<T>(fn: () => T): T {
  return current.exit(fn);
}

let installed = false;

/**
 * Route writes to process.stdout/stderr made while a request is served
 * into that request's buffers; other writes (the service's own log lines)
 * go where they went. Installed once, by the service only.
 */
export function captureRequestOutput(): void {
  if (installed) return;
  installed = true;
  for (const [stream, pick] of [
    [process.stdout, (c: RequestContext) => c.stdout],
    [process.stderr, (c: RequestContext) => c.stderr],
  ] as const) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const routed = (chunk: unknown, ...rest: unknown[]): boolean => {
      const ctx = current.getStore();
      if (ctx === undefined) return original(chunk, ...rest);
      const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : "utf8";
      pick(ctx).push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (cb) queueMicrotask(cb);
      return true;
    };
    stream.write = routed as typeof stream.write;
  }
}
