import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BerthError } from "../errors.js";
import { formatListenAddress, isLoopback, type ListenAddress } from "./listen-address.js";

/** One state of the topology, as the page shows it. */
export interface Snapshot {
  readonly svg: string;
  readonly json: string;
}

export interface ServeOptions {
  readonly address: ListenAddress;
  /** The page around a picture (live: it listens for events). */
  readonly page: (svg: string) => string;
  /** A new snapshot when the topology changed, else undefined. */
  readonly next: () => Snapshot | undefined;
  readonly intervalMs: number;
  /** Told the URL once the server listens. */
  readonly listening: (url: string) => void;
}

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
};

/**
 * `berth topology --serve`: a read-only HTTP server. `/` is the page,
 * `/events` streams a "picture" server-sent event with each new picture
 * (the current one first), `/topology.svg` and `/topology.json` are the
 * current picture and graph. Only GET and HEAD; on a loopback address a
 * request naming another host (DNS rebinding) is refused. Runs until
 * SIGINT or SIGTERM.
 */
export function serveTopology(o: ServeOptions): Promise<void> {
  let current = o.next() ?? { svg: "", json: "{}" };
  let version = 1;
  const clients = new Set<ServerResponse>();
  const event = () => `event: picture\ndata: ${JSON.stringify({ version, svg: current.svg, at: Date.now() })}\n\n`;

  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("read-only: GET and HEAD only\n");
      return;
    }
    if (o.address.loopback && !loopbackHost(req)) {
      res.writeHead(403, { "Content-Type": "text/plain" }).end("this server answers only to loopback host names\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") send(res, "text/html; charset=utf-8", o.page(current.svg), req);
    else if (path === "/topology.svg") send(res, "image/svg+xml", current.svg, req);
    else if (path === "/topology.json") send(res, "application/json", current.json, req);
    else if (path === "/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream", Connection: "keep-alive" });
      if (req.method === "HEAD") return void res.end();
      res.write(event());
      clients.add(res);
      req.on("close", () => clients.delete(res));
    } else res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
  });

  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      for (const c of clients) c.end();
      // (a server not listening yet answers close() with an error: stopped all the same)
      server.close(() => resolve());
      server.closeAllConnections();
    };
    // before the URL is printed: whoever reads it may press Ctrl-C at once
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const tick = () => {
      const s = o.next();
      if (s && (s.svg !== current.svg || s.json !== current.json)) {
        current = s;
        version++;
        const e = event();
        for (const c of clients) c.write(e);
      }
      timer = setTimeout(tick, o.intervalMs);
    };
    server.once("error", (e: NodeJS.ErrnoException) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      reject(
        new BerthError("INVALID_ARGUMENT", `Cannot serve the topology on ${formatListenAddress(o.address.host, o.address.port)}: ${e.message}`, {
          hint: e.code === "EADDRINUSE" ? "Pick another port: --serve 127.0.0.1:PORT (0 picks a free one)" : "Pick a local address and a free port",
        }),
      );
    });
    server.listen(o.address.port, o.address.host, () => {
      const a = server.address() as AddressInfo;
      if (stopped) return;
      o.listening(`http://${formatListenAddress(a.address, a.port)}/`);
      timer = setTimeout(tick, o.intervalMs);
    });
  });
}

function send(res: ServerResponse, type: string, body: string, req: IncomingMessage): void {
  res.writeHead(200, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The Host header names a loopback address or localhost. */
function loopbackHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return host === "localhost" || isLoopback(host);
}
