/**
 * The Berth service's wire protocol (docs/api.md): over a Unix stream
 * socket, each message is one line of JSON. A request names its method;
 * the reply carries the same id and either `result` or `error`. While a
 * request is in progress the service sends `{"v":1,"id":N,"pending":true}`
 * once a second, so a client can tell a busy service from a hung one. An
 * `exec` reply's header is followed by the raw bytes of the program's
 * stdout and stderr (`stdoutBytes`, `stderrBytes`), so the native
 * transport need not decode JSON strings. `events` replies with one
 * `{"v":1,"id":N,"event":{...}}` line per event until the client hangs up.
 */
export const PROTOCOL_VERSION = 1;

/** The longest request line the service reads (netavark's and CNI's inputs are a few KB). */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** How often the service says a request is still being worked on. */
export const PENDING_INTERVAL_MS = 1000;

export interface Request {
  readonly v: number;
  readonly id: number;
  readonly method: string;
  /** The client's build (dist/build-id); "" or absent: any build will do. */
  readonly build?: string;
  /** The environment the call runs with (the BERTH_* settings; for exec, what the program reads). */
  readonly env?: Readonly<Record<string, string>>;
  readonly params?: unknown;
}

/** An error as the CLI prints it: a stable code, a message, a hint. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export type Reply =
  | { readonly v: number; readonly id: number; readonly result: unknown }
  | { readonly v: number; readonly id: number; readonly error: ErrorBody }
  | { readonly v: number; readonly id: number; readonly pending: true }
  | { readonly v: number; readonly id: number; readonly event: unknown };

/** The header of an `exec` result; the bytes follow it. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Set when the command needs the caller's terminal: the client runs it itself (nothing was done). */
  readonly runLocally?: true;
}

/** The one encoding of a message. */
export function frame(message: Request | Reply): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines; the service and the Node client read
 * with it. `take(n)` hands out raw bytes after a line (an exec reply).
 */
export class LineReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
  }

  get buffered(): number {
    return this.#buf.length;
  }

  /** The next complete line (without "\n"), or undefined. */
  line(): string | undefined {
    const nl = this.#buf.indexOf(10);
    if (nl < 0) return undefined;
    const s = this.#buf.subarray(0, nl).toString("utf8");
    this.#buf = this.#buf.subarray(nl + 1);
    return s;
  }

  /** The next n bytes, if they have all arrived. */
  take(n: number): Buffer | undefined {
    if (this.#buf.length < n) return undefined;
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
}
