import { createServer as createHttpServer, type RequestListener } from "node:http";
import { closeSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { isBerthError, messageOf } from "../errors.js";
import { frame, LineReader, MAX_REQUEST_BYTES, PENDING_INTERVAL_MS, PROTOCOL_VERSION, type ErrorBody, type Reply, type Request } from "./protocol.js";
import { peerCredentials } from "./peer-credentials.js";
import { MutationQueue } from "./mutation-queue.js";
import { ResidentEngines } from "./resident-engines.js";
import { execProgram, parseExecParams } from "./exec-programs.js";
import { API_METHODS } from "./api-methods.js";
import { EventStream } from "./events.js";
import { inRequest } from "./request-context.js";
import { buildId } from "./build-id.js";
import { backgroundSettled, listenUnixSocket } from "../kernel/index.js";
import { fileIdentity, removeIfOurs } from "./file-identity.js";

const HOSTED_CLOSE_GRACE_MS = 2000;

/** A socket Node would not serve: the descriptor and file made for it go (an inherited descriptor stays its owner's); the error. */
function giveUpSocket(where: { path: string } | { fd: number }, fd: number, ours: string | undefined, e: Error): Error {
  if ("path" in where) {
    closeSync(fd);
    removeIfOurs(where.path, ours);
  }
  return e;
}

/** A listener the service hosts beside its API socket (addListener). */
export interface HostedListener {
  /** Stop listening, drop its connections, remove its socket file (if it made one). */
  close(): Promise<void>;
}

/** What `ping` answers: who serves, and which build. */
export interface ServiceIdentity {
  readonly pid: number;
  readonly build: string;
  readonly protocol: number;
  readonly busy: number;
}

/**
 * The Berth service: one process per run dir that keeps the engine warm
 * and serves the local API (docs/api.md) on a Unix socket. Root only: the
 * socket is 0600 and every connection's peer is checked (SO_PEERCRED).
 * Changes run one at a time (mutation-queue.ts); views alongside.
 */
export class BerthService {
  readonly engines: ResidentEngines;
  readonly queue = new MutationQueue();
  readonly events = new EventStream();
  readonly #servers: Server[] = [];
  readonly #extra = new Set<HostedListener>();
  #inFlight = 0;
  #onIdle: (() => void) | undefined;
  /** Warnings for the next caller's stderr (what the repair at start could not undo). */
  readonly #warnings: string[] = [];
  /** Called when a client asks the service to stop (once idle). */
  onStopRequested: (() => void) | undefined;

  constructor(runDir: string) {
    this.engines = new ResidentEngines(runDir);
  }

  /** Say `text` on the stderr of the next `exec` call served. */
  warnNextCaller(text: string): void {
    this.#warnings.push(text);
  }

  /** Requests being served. */
  get busy(): number {
    return this.#inFlight;
  }

  /**
   * Serve on a Unix socket path (made 0600; a stale file there is
   * replaced) or on an inherited listening descriptor. A path is bound
   * here, not by Node, so that closing the server never removes a file
   * there (listenUnixSocket): the service removes its own socket file.
   */
  listen(where: { path: string } | { fd: number }): Promise<void> {
    const server = createServer({ allowHalfOpen: false }, (s) => this.#connection(s));
    this.#servers.push(server);
    const fd = "path" in where ? listenUnixSocket(where.path, 0o600) : where.fd;
    const ours = "path" in where ? fileIdentity(where.path) : undefined;
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => reject(giveUpSocket(where, fd, ours, e));
      server.once("error", failed);
      server.listen({ fd }, () => {
        server.off("error", failed);
        resolve();
      });
    });
  }

  /**
   * Host another listener in this process: an HTTP handler on a Unix
   * socket path (the caller has made its directory and cleared the path;
   * the socket gets `mode`) or on an inherited listening descriptor, e.g.
   * Docker's network driver (docker-plugin-host.ts). Its handler makes
   * changes through `this.change()` and views through `this.view()`.
   * Closed by the returned handle, or with the service.
   */
  addListener(where: { path: string; mode: number } | { fd: number }, handler: RequestListener): Promise<HostedListener> {
    const server = createHttpServer(handler);
    const fd = "path" in where ? listenUnixSocket(where.path, where.mode) : where.fd;
    const ours = "path" in where ? fileIdentity(where.path) : undefined;
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => reject(giveUpSocket(where, fd, ours, e));
      server.once("error", failed);
      const done = () => {
        server.off("error", failed);
        let closed: Promise<void> | undefined;
        const hosted: HostedListener = {
          close: () => {
            closed ??= new Promise<void>((r) => {
              this.#extra.delete(hosted);
              server.close(() => r());
              // a request being answered may finish; keep-alive connections go now, stragglers soon
              server.closeIdleConnections();
              setTimeout(() => server.closeAllConnections(), HOSTED_CLOSE_GRACE_MS).unref();
              if ("path" in where) removeIfOurs(where.path, ours);
            });
            return closed;
          },
        };
        this.#extra.add(hosted);
        resolve(hosted);
      };
      server.listen({ fd }, done);
    });
  }

  /** Run a change in turn with every other (for hosted listeners): the caller's BERTH_* environment picks the engine. */
  change<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>, what?: string): Promise<T> {
    return this.queue.run(async () => {
      this.engines.forgetKernelCaches();
      const ctx = { engine: () => this.engines.forEnv(env), repair: true, stdout: [], stderr: [] };
      try {
        return await inRequest(ctx, fn);
      } finally {
        this.#changed();
      }
    }, what);
  }

  /** Run a view alongside changes (for hosted listeners). */
  view<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
    return inRequest({ engine: () => this.engines.forEnv(env), repair: false, stdout: [], stderr: [] }, fn);
  }

  identity(): ServiceIdentity {
    return { pid: process.pid, build: buildId(), protocol: PROTOCOL_VERSION, busy: this.#inFlight };
  }

  /** Stop listening, let the requests in progress finish, then close the engines. */
  async stop(): Promise<void> {
    for (const s of this.#servers) s.close();
    const hosted = [...this.#extra].map((x) => x.close());
    if (this.#inFlight > 0) await new Promise<void>((r) => (this.#onIdle = r));
    await this.queue.idle();
    await Promise.all(hosted);
    // a veth's deletion still finishing on the thread pool (NetlinkHandle.linkRemoveDetached)
    await backgroundSettled();
    this.engines.close();
  }

  #changed(): void {
    try {
      this.events.changed();
    } catch {
      // events are best effort: a follower misses what it cannot be told
    }
  }

  #connection(socket: Socket): void {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    let uid: number | undefined;
    try {
      if (fd !== undefined) uid = peerCredentials(fd).uid;
    } catch {
      uid = undefined;
    }
    if (uid !== 0) {
      const error: ErrorBody = {
        code: "PERMISSION",
        message: `The Berth service answers root only; this connection's user is ${uid === undefined ? "unknown" : `uid ${uid}`}`,
        hint: "Run the command as root (sudo berth ...)",
      };
      socket.end(frame({ v: PROTOCOL_VERSION, id: 0, error }));
      return;
    }
    const reader = new LineReader();
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => (closed = true));
    let queue = Promise.resolve();
    socket.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      if (reader.buffered > MAX_REQUEST_BYTES) {
        socket.end(
          frame({ v: PROTOCOL_VERSION, id: 0, error: { code: "INVALID_ARGUMENT", message: "Request too large", hint: "Send at most 16 MiB a request" } }),
        );
        return;
      }
      for (let line = reader.line(); line !== undefined; line = reader.line()) {
        const text = line;
        // one request at a time per connection, in order
        queue = queue.then(() => this.#serve(socket, text, () => closed));
      }
    });
  }

  async #serve(socket: Socket, line: string, isClosed: () => boolean): Promise<void> {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
      if (typeof req !== "object" || req === null || typeof req.method !== "string") throw new Error("not a request object");
    } catch (e) {
      write(socket, {
        v: PROTOCOL_VERSION,
        id: 0,
        error: { code: "INVALID_ARGUMENT", message: `Not a JSON request: ${messageOf(e)}`, hint: "Send one JSON object per line (docs/api.md)" },
      });
      return;
    }
    const id = typeof req.id === "number" ? req.id : 0;
    if (req.v !== PROTOCOL_VERSION) {
      write(socket, {
        v: PROTOCOL_VERSION,
        id,
        error: {
          code: "SERVICE_OUTDATED",
          message: `This Berth service speaks protocol ${PROTOCOL_VERSION}, the request ${String(req.v)}`,
          hint: "Use the berth installation the service runs from, or restart the service",
        },
      });
      return;
    }
    if (req.build && req.build !== buildId() && req.method !== "ping" && req.method !== "service.stop") {
      write(socket, {
        v: PROTOCOL_VERSION,
        id,
        error: {
          code: "SERVICE_OUTDATED",
          message: `The Berth service runs build ${buildId() || "(none)"}, the client is build ${req.build}`,
          hint: "The client replaces the service once it is idle: run the command again",
        },
      });
      return;
    }
    this.#inFlight++;
    const pending = setInterval(() => write(socket, { v: PROTOCOL_VERSION, id, pending: true }), PENDING_INTERVAL_MS);
    try {
      await this.#dispatch(socket, req, id, isClosed);
    } catch (e) {
      write(socket, { v: PROTOCOL_VERSION, id, error: errorBody(e) });
    } finally {
      clearInterval(pending);
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#onIdle) this.#onIdle();
    }
  }

  async #dispatch(socket: Socket, req: Request, id: number, isClosed: () => boolean): Promise<void> {
    const env = { ...(req.env ?? {}) };
    const params = (req.params ?? {}) as Record<string, unknown>;
    switch (req.method) {
      case "ping":
        write(socket, { v: PROTOCOL_VERSION, id, result: this.identity() });
        return;
      case "service.stop":
        write(socket, { v: PROTOCOL_VERSION, id, result: this.identity() });
        this.onStopRequested?.();
        return;
      case "exec": {
        const p = parseExecParams(params);
        const got = await execProgram({ engines: this.engines, queue: this.queue }, p, env);
        const warned = got.runLocally === true ? [] : this.#warnings.splice(0);
        const out = warned.length === 0 ? got : { ...got, stderr: Buffer.concat([Buffer.from(warned.join("")), got.stderr]) };
        const header = frame({
          v: PROTOCOL_VERSION,
          id,
          result: { exitCode: out.exitCode, stdoutBytes: out.stdout.length, stderrBytes: out.stderr.length, ...(out.runLocally ? { runLocally: true } : {}) },
        });
        if (!isClosed()) socket.write(Buffer.concat([Buffer.from(header), out.stdout, out.stderr]));
        // then what the caller need not wait for, still in the change's turn
        out.finish?.();
        if (out.runLocally !== true) this.#changed();
        return;
      }
      case "events": {
        const stop = this.events.follow(this.engines.forEnv(env), (event) => write(socket, { v: PROTOCOL_VERSION, id, event }));
        write(socket, { v: PROTOCOL_VERSION, id, result: { following: true } });
        await new Promise<void>((r) => socket.once("close", r));
        stop();
        return;
      }
    }
    const m = API_METHODS[req.method];
    if (m === undefined) {
      write(socket, {
        v: PROTOCOL_VERSION,
        id,
        error: { code: "INVALID_ARGUMENT", message: `Unknown method "${req.method}"`, hint: "See docs/api.md for the methods" },
      });
      return;
    }
    const ctx = { engine: () => this.engines.forEnv(env), repair: m.change, stdout: [], stderr: [] };
    const result = m.change ? await this.change(env, () => m.run(params), `the API's ${req.method}`) : await inRequest(ctx, () => m.run(params));
    write(socket, { v: PROTOCOL_VERSION, id, result });
  }
}

function write(socket: Socket, r: Reply): void {
  if (!socket.destroyed && socket.writable) socket.write(frame(r));
}

function errorBody(e: unknown): ErrorBody {
  if (isBerthError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { code: "INTERNAL", message: messageOf(e), hint: "This is a bug in Berth: the service's log (service.log in the run dir) has more" };
}
