import dgram from "node:dgram";
import net from "node:net";
import type { Reply } from "./responder.js";

/** Turns a query into a reply; see Responder.respond(). */
export type QueryHandler = (query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp") => Reply | Promise<Reply>;

export interface ListenerOptions {
  /** Close a TCP connection idle this long. @default 10000 */
  readonly tcpIdleMs?: number;
  /** TCP connections at once on one listener; more are refused. @default 256 */
  readonly maxTcpConnections?: number;
}

const MAX_TCP_PIPELINE = 64;

/**
 * The UDP socket's "DNS lookup" of a reply's destination. Replies only go
 * to the source address of a query, always an IP literal, so this hands
 * it back at once: dgram's default (dns.lookup) would validate it again and
 * defer the send to the next tick, costing allocations on every reply.
 */
function literalAddress(address: string, _family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(":") ? 6 : 4);
}

/** Call `send` with the reply once there is one (undefined: drop), synchronously when it is ready. */
function onReply(r: Reply | Promise<Reply>, send: (b: Reply) => void): void {
  if (r instanceof Promise) r.then(send, () => send(undefined));
  else send(r);
}

/**
 * The resolver's sockets on one address: UDP and TCP port 53 (RFC 7766:
 * length-prefixed messages, several per connection, replies in any order).
 */
export class Listener {
  readonly address: string;
  readonly port: number;
  readonly #udp: dgram.Socket;
  readonly #tcp: net.Server;
  readonly #conns: Set<net.Socket>;

  private constructor(address: string, port: number, udp: dgram.Socket, tcp: net.Server, conns: Set<net.Socket>) {
    this.address = address;
    this.port = port;
    this.#udp = udp;
    this.#tcp = tcp;
    this.#conns = conns;
  }

  /**
   * Bind UDP and TCP on `address`:`port`. Rejects (closing whatever was
   * bound) when the address is not configured yet or the port is taken.
   */
  static async open(address: string, port: number, handle: QueryHandler, opts: ListenerOptions = {}): Promise<Listener> {
    const udp = dgram.createSocket({ type: address.includes(":") ? "udp6" : "udp4", lookup: literalAddress });
    const reply = (b: Reply, port: number, to: string) => {
      if (!b) return;
      try {
        udp.send(b, port, to);
      } catch {
        // the socket closed while the query was being forwarded
      }
    };
    udp.on("message", (msg, rinfo) => {
      const r = handle(msg, rinfo.address, address, "udp");
      if (r instanceof Promise) r.then((b) => reply(b, rinfo.port, rinfo.address), () => undefined);
      else reply(r, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, address, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    udp.on("error", () => undefined);
    const conns = new Set<net.Socket>();
    const tcp = net.createServer((sock) => Listener.#serveTcp(sock, address, handle, conns, opts));
    tcp.maxConnections = opts.maxTcpConnections ?? 256;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen({ port, host: address, exclusive: true }, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    tcp.on("error", () => undefined);
    return new Listener(address, port, udp, tcp, conns);
  }

  static #serveTcp(sock: net.Socket, address: string, handle: QueryHandler, conns: Set<net.Socket>, opts: ListenerOptions): void {
    conns.add(sock);
    sock.on("close", () => conns.delete(sock));
    sock.on("error", () => sock.destroy());
    sock.setNoDelay(true);
    sock.setTimeout(opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    const client = (sock.remoteAddress ?? "").replace(/^::ffff:/, "");
    let buf: Buffer = Buffer.alloc(0);
    let pending = 0;
    const send = (b: Reply) => {
      pending--;
      if (!b || sock.destroyed) return;
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(b.length);
      sock.write(Buffer.concat([len, b]));
      if (pending < MAX_TCP_PIPELINE && sock.isPaused()) sock.resume();
    };
    sock.on("data", (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len === 0) return void sock.destroy();
        if (buf.length < 2 + len) break;
        const q = Buffer.from(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        pending++;
        onReply(handle(q, client, address, "tcp"), send);
      }
      if (pending >= MAX_TCP_PIPELINE) sock.pause();
    });
  }

  /** Stop listening. Queries being forwarded finish; their replies are dropped if the socket is gone. */
  close(): void {
    try {
      this.#udp.close();
    } catch {
      // already closed
    }
    this.#tcp.close();
    for (const c of this.#conns) c.destroy();
  }
}
