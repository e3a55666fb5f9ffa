import { BerthError } from "../errors.js";
import { frame, LineReader, PROTOCOL_VERSION, type ErrorBody, type ExecResult } from "./protocol.js";
import { connectUnix } from "./unix-stream.js";

/** How long a client waits for any sign of life (a reply or a "pending" line) before it calls the service hung. */
export function silenceLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env["BERTH_SERVICE_TIMEOUT"] ?? 10);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 10_000;
}

/** Why a call did not get an answer. */
export type CallFailure =
  /** nothing listens (no socket, or a stale one): start the service */
  | "not-running"
  /** the socket exists but is not ours to use (not root) */
  | "no-access"
  /** the connection ended before the reply: the service died mid-request */
  | "died"
  /** connected, but nothing came back in time: stopped or hung */
  | "hung";

export class CallError extends Error {
  constructor(
    readonly failure: CallFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A finished call: the result, or the service's error (a BerthError's code, message, hint). */
export type CallReply = { readonly result: unknown; readonly stdout?: Buffer; readonly stderr?: Buffer } | { readonly error: ErrorBody };

let nextId = 1;

/**
 * One request on a fresh connection. An `exec` result's bytes are read
 * after its header. Fails with a CallError when there is no answer: see
 * CallFailure. `onEvent` (for `events`) gets each event line; the call then
 * lasts until the connection ends.
 */
export function call(
  socketPath: string,
  method: string,
  opts: { params?: unknown; env?: Record<string, string>; build?: string; silenceMs?: number; onEvent?: (e: unknown) => void } = {},
): Promise<CallReply> {
  const id = nextId++;
  const silenceMs = opts.silenceMs ?? silenceLimitMs();
  return new Promise((resolve, reject) => {
    const reader = new LineReader();
    let header: { result?: unknown; error?: ErrorBody; event?: unknown; pending?: boolean } | undefined;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.close();
      fn();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => reject(new CallError("hung", `no answer for ${silenceMs / 1000} s`))), silenceMs);
    };
    const onData = (chunk: Buffer) => {
      arm();
      reader.push(chunk);
      for (;;) {
        if (header === undefined) {
          const line = reader.line();
          if (line === undefined) return;
          const msg = JSON.parse(line) as { result?: unknown; error?: ErrorBody; event?: unknown; pending?: boolean };
          if (msg.pending) continue;
          if (msg.event !== undefined) {
            opts.onEvent?.(msg.event);
            continue;
          }
          if (msg.error !== undefined) {
            const error = msg.error;
            finish(() => resolve({ error }));
            return;
          }
          if (opts.onEvent !== undefined) continue; // the events stream's first reply: keep following
          header = msg;
        }
        const r = header.result as Partial<ExecResult> | undefined;
        if (method !== "exec" || r === undefined || typeof r.stdoutBytes !== "number") {
          const result = header.result;
          finish(() => resolve({ result }));
          return;
        }
        const bytes = reader.take(r.stdoutBytes + (r.stderrBytes ?? 0));
        if (bytes === undefined) return;
        const stdout = bytes.subarray(0, r.stdoutBytes);
        const stderr = bytes.subarray(r.stdoutBytes);
        finish(() => resolve({ result: r, stdout, stderr }));
        return;
      }
    };
    const conn = connectUnix(socketPath, {
      connect: () => {},
      data: onData,
      end: (code, message) => {
        if (code === undefined) return finish(() => reject(new CallError("died", "the connection ended before the reply")));
        const f: CallFailure = code === "ENOENT" || code === "ECONNREFUSED" ? "not-running" : code === "EACCES" || code === "EPERM" ? "no-access" : "died";
        finish(() => reject(new CallError(f, message ?? code)));
      },
    });
    conn.write(
      frame({
        v: PROTOCOL_VERSION,
        id,
        method,
        ...(opts.build ? { build: opts.build } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        params: opts.params ?? {},
      }),
    );
    arm();
  });
}

/** A reply's error as the BerthError it was in the service. */
export function replyError(e: ErrorBody): BerthError {
  return new BerthError(e.code as ConstructorParameters<typeof BerthError>[0], e.message, e.hint === undefined ? {} : { hint: e.hint });
}
