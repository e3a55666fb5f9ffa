import dgram from "node:dgram";
import net from "node:net";
import type { Upstream } from "./upstream.js";

/** One UDP exchange in flight; `cancel` closes its socket. */
export interface UdpAttempt {
  cancel(): void;
}

/**
 * Send `query` to `up` from a fresh connected socket (random source port,
 * and only the upstream's own replies get through). `onReply` gets the first
 * reply whose id matches; `onError` a socket error, including ECONNREFUSED
 * when the host answers ICMP port unreachable, so a closed port fails at once.
 */
export function udpAttempt(query: Buffer, up: Upstream, onReply: (reply: Buffer) => void, onError: () => void): UdpAttempt {
  const sock = dgram.createSocket(up.family === 6 ? "udp6" : "udp4");
  let closed = false;
  const cancel = () => {
    if (closed) return;
    closed = true;
    try {
      sock.close();
    } catch {
      // already closed
    }
  };
  sock.on("error", () => {
    cancel();
    onError();
  });
  sock.on("message", (msg) => {
    if (msg.length < 12 || msg[0] !== query[0] || msg[1] !== query[1] || (msg[2]! & 0x80) === 0) return;
    cancel();
    onReply(msg);
  });
  // Node calls this back with the error when connect fails (ENETUNREACH when
  // no route leads to the upstream), and the socket is then not connected
  const connected: (err?: Error) => void = (err) => {
    if (closed) return;
    if (err) {
      cancel();
      onError();
      return;
    }
    sock.send(query, (err) => {
      if (err) {
        cancel();
        onError();
      }
    });
  };
  sock.connect(up.port, up.host, connected);
  return { cancel };
}

/**
 * One query over TCP (RFC 7766 framing): connect within `connectMs`, then
 * wait up to `replyMs` for the whole reply. Resolves undefined on any failure.
 */
export function tcpExchange(query: Buffer, up: Upstream, connectMs: number, replyMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: up.host, port: up.port, family: up.family });
    const chunks: Buffer[] = [];
    let have = 0;
    let timer = setTimeout(() => done(undefined), connectMs);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    sock.on("error", () => done(undefined));
    sock.on("close", () => done(undefined));
    sock.on("connect", () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(undefined), replyMs);
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on("data", (d: Buffer) => {
      chunks.push(d);
      have += d.length;
      if (have < 2) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(all);
      const need = all.readUInt16BE(0);
      if (all.length < 2 + need) return;
      const reply = all.subarray(2, 2 + need);
      done(reply.length >= 12 && reply[0] === query[0] && reply[1] === query[1] ? reply : undefined);
    });
  });
}
