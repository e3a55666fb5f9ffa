import net from "node:net";
import type { Reply } from "./responder.js";
import type { UdpService } from "./udp-service.js";

/** Turns a query into a reply; see Responder.respond(). */
export type QueryHandler = (query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp") => Reply | Promise<Reply>;

export interface ListenerOptions {
  /** Close a TCP connection idle this long. @default 10000 */
  readonly tcpIdleMs?: number;
  /** TCP connections at once on one listener; more are refused. @default 256 */
  readonly maxTcpConnections?: number;
}

const MAX_TCP_PIPELINE = 64;

/** Call `send` with the reply once there is one (undefined: drop), synchronously when it is ready. */
export function onReply(r: Reply | Promise<Reply>, send: (b: Reply) => void): void {
  if (r instanceof Promise) r.then(send, () => send(undefined));
  else send(r);
}

/**
 * The resolver's sockets on one address: UDP port 53, served by the UDP
 * thread (udp-service.ts), and TCP port 53 on this thread (RFC 7766:
 * length-prefixed messages, several per connection, replies in any order).
 */
export class Listener {
  readonly address: string;
  readonly port: number;
  readonly #udp: UdpService;
  readonly #tcp: net.Server;
  readonly #conns: Set<net.Socket>;

  private constructor(address: string, port: number, udp: UdpService, tcp: net.Server, conns: Set<net.Socket>) {
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
  static async open(address: string, port: number, handle: QueryHandler, udp: UdpService, opts: ListenerOptions = {}): Promise<Listener> {
    udp.open(address, port);
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
      udp.close(address);
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
    this.#udp.close(this.address);
    this.#tcp.close();
    for (const c of this.#conns) c.destroy();
  }
}
