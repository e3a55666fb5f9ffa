import type { Socket } from "node:net";
import { getSystemErrorName } from "node:util";

/**
 * A client's connection to a Unix stream socket, as cheaply as Node.js
 * allows. A view (`berth ps`) is one short request, and loading `node:net`
 * (with `stream` and its machinery, whose first use compiles cold code in
 * Node itself) cost ~8 ms of a ~32 ms call on this VM, more than Podman's
 * whole `podman ps` leaves over Node's start-up (bench/README.md). So the
 * connection goes straight to libuv's pipe handle, the one `net.Socket`
 * wraps, through Node's `pipe_wrap` and `stream_wrap` bindings. Those are
 * reached through `process.binding`, deprecated in documentation only
 * (DEP0111); both stay on its allow-list in current Node.js releases.
 * Each piece is checked before use (the shapes are Node 20's), and
 * `node:net` serves when one is missing, when `process.binding` throws
 * (under Node's permission model), or when the process asked for pending
 * deprecations to be reported (using it then would print a warning). A
 * unit test fails if this Node.js would take that slower way.
 */
export interface UnixConnection {
  /** Queue text to send (UTF-8). */
  write(text: string): void;
  /** Close the connection; no event follows. */
  close(): void;
}

export interface UnixConnectionEvents {
  /** Connected: writes go out from here on (written before, they wait). */
  connect(): void;
  /** Bytes from the peer, in order. */
  data(chunk: Buffer): void;
  /** The connection failed (`code`: ENOENT, ECONNREFUSED, EACCES, ...) or the peer closed it (no code). Last event. */
  end(code?: string, message?: string): void;
}

/** Which way connections are made in this process: Node's libuv handle, or `node:net`. */
export function unixTransport(): "libuv" | "net" {
  return libuvBindings() !== undefined ? "libuv" : "net";
}

/** Connect to the Unix stream socket at `path`; events arrive on `on`. */
export function connectUnix(path: string, on: UnixConnectionEvents, opts: { transport?: "libuv" | "net" } = {}): UnixConnection {
  const b = opts.transport === "net" ? undefined : libuvBindings();
  return b !== undefined ? connectLibuv(b, path, on) : connectNet(path, on);
}

// --- through libuv's pipe handle ---------------------------------------------

interface PipeHandle {
  /** Must always be a function: Node aborts the process on anything else. */
  onread: (this: PipeHandle, buffer: ArrayBuffer | undefined) => void;
  connect(req: object, path: string): number;
  readStart(): number;
  writeUtf8String(req: object, text: string): number;
  close(cb?: () => void): void;
}

interface LibuvBindings {
  readonly Pipe: new (type: number) => PipeHandle;
  readonly PipeConnectWrap: new () => { oncomplete?: (status: number) => void };
  readonly WriteWrap: new () => { handle?: PipeHandle; oncomplete?: (status: number) => void; async?: boolean };
  readonly socketType: number;
  readonly state: Int32Array;
  readonly kReadBytesOrError: number;
  readonly kArrayBufferOffset: number;
}

let cached: LibuvBindings | null | undefined;

function libuvBindings(): LibuvBindings | undefined {
  if (cached === undefined) cached = findLibuvBindings() ?? null;
  return cached ?? undefined;
}

function pendingDeprecationsReported(): boolean {
  const flag = "--pending-deprecation";
  return process.execArgv.includes(flag) || (process.env["NODE_OPTIONS"] ?? "").includes(flag) || process.env["NODE_PENDING_DEPRECATION"] === "1";
}

function findLibuvBindings(): LibuvBindings | undefined {
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== "function" || pendingDeprecationsReported()) return undefined;
  try {
    const pw = binding.call(process, "pipe_wrap") as Record<string, unknown>;
    const sw = binding.call(process, "stream_wrap") as Record<string, unknown>;
    const constants = pw["constants"] as Record<string, unknown> | undefined;
    const { Pipe, PipeConnectWrap } = pw;
    const { WriteWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset } = sw;
    if (
      typeof Pipe !== "function" ||
      typeof PipeConnectWrap !== "function" ||
      typeof WriteWrap !== "function" ||
      typeof constants?.["SOCKET"] !== "number" ||
      !(streamBaseState instanceof Int32Array) ||
      typeof kReadBytesOrError !== "number" ||
      typeof kArrayBufferOffset !== "number"
    )
      return undefined;
    const proto = (Pipe as { prototype: Record<string, unknown> }).prototype;
    if (!["connect", "readStart", "writeUtf8String", "close"].every((m) => typeof proto[m] === "function")) return undefined;
    return {
      Pipe: Pipe as LibuvBindings["Pipe"],
      PipeConnectWrap: PipeConnectWrap as LibuvBindings["PipeConnectWrap"],
      WriteWrap: WriteWrap as LibuvBindings["WriteWrap"],
      socketType: constants["SOCKET"],
      state: streamBaseState,
      kReadBytesOrError,
      kArrayBufferOffset,
    };
  } catch {
    return undefined;
  }
}

function errnoName(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return `E${-status}`;
  }
}

function ignoreRead(): void {}

function connectLibuv(b: LibuvBindings, path: string, on: UnixConnectionEvents): UnixConnection {
  const pipe = new b.Pipe(b.socketType);
  let open = true;
  let connected = false;
  const queued: string[] = [];
  const close = () => {
    if (!open) return;
    open = false;
    pipe.onread = ignoreRead;
    pipe.close();
  };
  const fail = (status: number, what: string) => {
    if (!open) return;
    close();
    const code = errnoName(status);
    on.end(code, `${what} ${path}: ${code}`);
  };
  const send = (text: string) => {
    const req = new b.WriteWrap();
    req.handle = pipe;
    req.async = false;
    req.oncomplete = (status) => {
      if (status < 0) fail(status, "write to");
    };
    const err = pipe.writeUtf8String(req, text);
    if (err < 0) fail(err, "write to");
  };
  pipe.onread = (buffer) => {
    const n = b.state[b.kReadBytesOrError] ?? 0;
    if (n > 0 && buffer !== undefined) {
      on.data(Buffer.from(buffer, b.state[b.kArrayBufferOffset] ?? 0, n));
      return;
    }
    if (n === 0) return;
    const eof = errnoName(n) === "EOF";
    if (eof) {
      if (!open) return;
      close();
      on.end();
    } else fail(n, "read from");
  };
  const req = new b.PipeConnectWrap();
  req.oncomplete = (status) => {
    if (status < 0) return fail(status, "connect to");
    if (!open) return;
    connected = true;
    const err = pipe.readStart();
    if (err < 0) return fail(err, "read from");
    on.connect();
    for (const text of queued.splice(0)) if (open) send(text);
  };
  const err = pipe.connect(req, path);
  // a failure to even start (a path too long) is told like any other: after this call returns
  if (err < 0) queueMicrotask(() => fail(err, "connect to"));
  return {
    write: (text) => {
      if (!open) return;
      if (connected) send(text);
      else queued.push(text);
    },
    close,
  };
}

// --- through node:net ----------------------------------------------------------

function connectNet(path: string, on: UnixConnectionEvents): UnixConnection {
  let sock: Socket | undefined;
  let open = true;
  const queued: string[] = [];
  const close = () => {
    open = false;
    sock?.destroy();
  };
  const end = (code?: string, message?: string) => {
    if (!open) return;
    close();
    on.end(code, message);
  };
  void import("node:net").then(({ connect }) => {
    if (!open) return;
    const s = connect(path);
    sock = s;
    s.on("connect", () => {
      on.connect();
      for (const text of queued.splice(0)) s.write(text);
    });
    s.on("data", (chunk: Buffer) => on.data(chunk));
    s.on("error", (e: NodeJS.ErrnoException) => end(e.code ?? "EIO", e.message));
    s.on("close", () => end());
  });
  return {
    write: (text) => {
      if (!open) return;
      if (sock?.readyState === "open") sock.write(text);
      else queued.push(text);
    },
    close,
  };
}
