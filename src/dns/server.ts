import net from "node:net";
import type { Reply } from "./responder.js";
import type { UdpService } from "./udp-service.js";

/** Turns a query into a reply; see Responder.respond() (`admitted`: the UDP thread took the query's forwarding slot). */
export type QueryHandler = (query: Buffer, clientIp: string, gateway: string, proto: "udp" | "tcp", admitted?: boolean) => Reply | Promise<Reply>;

export interface ListenerOptions {
  /** Close a TCP connection idle this long. @default 10000 */
  readonly tcpIdleMs?: number;
  /** TCP connections at once on one listener; more are refused. @default 256 */
  readonly maxTcpConnections?: number;
  /** TCP connections at once from one source address on one listener; more are closed at accept. @default 16 */
  readonly maxTcpPerSource?: number;
  /** A TCP message must arrive whole this long after its first byte, or the connection is closed. @default 3000 */
  readonly tcpMessageMs?: number;
  /**
   * Whether a TCP connection from `clientIp` to the listener at `gateway`
   * is served: only containers on that gateway's network are (anyone else
   * who can reach a gateway could otherwise hold its connections). @default all
   */
  readonly admit?: (clientIp: string, gateway: string) => boolean;
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
 * TCP serves only the network's own containers, a few connections per
 * source, and each message must arrive whole within a deadline, so that
 * slow senders cannot hold the connections the network's containers need.
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
    const perSource = new Map<string, number>();
    const tcp = net.createServer((sock) => Listener.#accept(sock, address, handle, conns, perSource, opts));
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

  /** Close at once a connection from a stranger, or one more than its source's share; serve the others. */
  static #accept(sock: net.Socket, address: string, handle: QueryHandler, conns: Set<net.Socket>, perSource: Map<string, number>, opts: ListenerOptions): void {
    const client = (sock.remoteAddress ?? "").replace(/^::ffff:/, "");
    const held = perSource.get(client) ?? 0;
    if (!(opts.admit?.(client, address) ?? true) || held >= (opts.maxTcpPerSource ?? 16)) {
      sock.on("error", () => undefined);
      sock.destroy();
      return;
    }
    perSource.set(client, held + 1);
    sock.on("close", () => {
      const n = (perSource.get(client) ?? 1) - 1;
      if (n <= 0) perSource.delete(client);
      else perSource.set(client, n);
    });
    Listener.#serveTcp(sock, client, address, handle, conns, opts);
  }

  static #serveTcp(sock: net.Socket, client: string, address: string, handle: QueryHandler, conns: Set<net.Socket>, opts: ListenerOptions): void {
    conns.add(sock);
    sock.on("close", () => conns.delete(sock));
    sock.on("error", () => sock.destroy());
    sock.setNoDelay(true);
    sock.setTimeout(opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    // the deadline of the message being received: a byte now and then does not keep a connection
    const messageMs = opts.tcpMessageMs ?? 3000;
    let deadline: NodeJS.Timeout | undefined;
    sock.on("close", () => clearTimeout(deadline));
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
        clearTimeout(deadline);
        deadline = undefined;
        pending++;
        onReply(handle(q, client, address, "tcp"), send);
      }
      if (buf.length > 0 && deadline === undefined) deadline = setTimeout(() => sock.destroy(), messageMs);
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
