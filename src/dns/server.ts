import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";
import type { Zone } from "./zone.js";
import type { Forwarder } from "./upstreams.js";

const RCODE_FORMERR = 1;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;

export interface ResolverState {
  zone: Zone;
  hostUpstreams: string[];
}

/**
 * Answer one query for the client at `clientIp`: names from the zone, the
 * rest forwarded upstream. Returns undefined to drop garbage that is not
 * even a DNS header.
 */
export async function answer(state: ResolverState, fwd: Forwarder, clientIp: string, query: Buffer, proto: "udp" | "tcp"): Promise<Buffer | undefined> {
  if (query.length < 12) return undefined;
  let packet: dnsPacket.Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return errorReply(query, RCODE_FORMERR);
  }
  if (packet.type !== "query") return undefined;
  const q = packet.questions?.[0];
  if (!q || (packet.questions?.length ?? 0) !== 1) return errorReply(query, RCODE_FORMERR);
  if (query.readUInt16BE(2) & 0x7800) return errorReply(query, RCODE_NOTIMP);
  const qtype = q.type === "A" ? "A" : q.type === "PTR" ? "PTR" : "OTHER";
  const r = state.zone.lookup(clientIp, q.name, qtype);
  const base = { id: packet.id ?? 0, type: "response" as const, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER, questions: [q] };
  if (r.kind === "answer") {
    return dnsPacket.encode({ ...base, answers: r.ips.map((ip) => ({ type: "A" as const, class: "IN" as const, name: q.name, ttl: 0, data: ip })) });
  }
  if (r.kind === "ptr") {
    return dnsPacket.encode({ ...base, answers: r.names.map((n) => ({ type: "PTR" as const, class: "IN" as const, name: q.name, ttl: 0, data: n })) });
  }
  if (r.kind === "nxdomain") return dnsPacket.encode({ ...base, flags: base.flags | RCODE_NXDOMAIN });
  const upstreams = r.upstreams.length > 0 ? r.upstreams : state.hostUpstreams;
  const reply = proto === "udp" ? await fwd.forwardUdp(query, upstreams) : await fwd.forwardTcp(query, upstreams);
  return reply ?? errorReply(query, RCODE_SERVFAIL);
}

/** A reply that echoes the header and question with an error code. */
function errorReply(query: Buffer, rcode: number): Buffer {
  const out = Buffer.from(query.subarray(0, 12));
  out[2] = ((out[2] ?? 0) | 0x80) & ~0x04;
  out[3] = ((out[3] ?? 0) & 0xf0) | 0x80 | rcode;
  out.writeUInt16BE(0, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

/** UDP and TCP listeners on one address, port 53 (or $BERTH_DNS_PORT for tests). */
export class Listener {
  readonly address: string;
  readonly #udp: dgram.Socket;
  readonly #tcp: net.Server;

  private constructor(address: string, udp: dgram.Socket, tcp: net.Server) {
    this.address = address;
    this.#udp = udp;
    this.#tcp = tcp;
  }

  static async open(address: string, port: number, handle: (clientIp: string, q: Buffer, proto: "udp" | "tcp") => Promise<Buffer | undefined>): Promise<Listener> {
    const udp = dgram.createSocket({ type: "udp4", reuseAddr: true });
    udp.on("message", (msg, rinfo) => {
      handle(rinfo.address, msg, "udp")
        .then((reply) => {
          if (reply) udp.send(reply, rinfo.port, rinfo.address);
        })
        .catch(() => undefined);
    });
    udp.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, address, () => resolve());
    });
    const tcp = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on("error", () => sock.destroy());
      sock.setTimeout(5000, () => sock.destroy());
      sock.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const q = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + q.length);
          handle(sock.remoteAddress?.replace(/^::ffff:/, "") ?? "", Buffer.from(q), "tcp")
            .then((reply) => {
              if (!reply) return;
              const len = Buffer.alloc(2);
              len.writeUInt16BE(reply.length);
              sock.write(Buffer.concat([len, reply]));
            })
            .catch(() => sock.destroy());
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(port, address, () => resolve());
    });
    return new Listener(address, udp, tcp);
  }

  close(): void {
    this.#udp.close();
    this.#tcp.close();
  }
}
