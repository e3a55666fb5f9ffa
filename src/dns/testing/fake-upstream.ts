import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";

export interface FakeUpstreamOptions {
  /** Address to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** The address every A query gets. @default "198.51.100.7" */
  readonly answer?: string;
  /** Receive and never reply (a dead or hopelessly slow server). */
  readonly silent?: boolean;
}

/** A tiny upstream DNS server for tests and benchmarks: UDP and TCP, one fixed A answer for every name. */
export class FakeUpstream {
  readonly host: string;
  readonly port: number;
  /** Queries seen, by protocol. */
  readonly seen = { udp: 0, tcp: 0 };
  readonly #udp: dgram.Socket;
  readonly #tcp: net.Server;

  private constructor(host: string, port: number, udp: dgram.Socket, tcp: net.Server) {
    this.host = host;
    this.port = port;
    this.#udp = udp;
    this.#tcp = tcp;
  }

  /** "host#port" as the forwarder reads it (or just the host on port 53). */
  get server(): string {
    return this.port === 53 ? this.host : `${this.host}#${this.port}`;
  }

  static async start(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
    const host = opts.host ?? "127.0.0.1";
    const answer = opts.answer ?? "198.51.100.7";
    let self: FakeUpstream | undefined;
    const reply = (q: Buffer): Buffer | undefined => {
      if (opts.silent) return undefined;
      try {
        const p = dnsPacket.decode(q);
        const qs = p.questions ?? [];
        return dnsPacket.encode({
          id: p.id ?? 0,
          type: "response",
          flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
          questions: qs,
          answers: qs.filter((x) => x.type === "A").map((x) => ({ type: "A" as const, name: x.name, ttl: 60, data: answer })),
        });
      } catch {
        return undefined;
      }
    };
    const udp = dgram.createSocket("udp4");
    udp.on("message", (msg, r) => {
      if (self) self.seen.udp++;
      const out = reply(msg);
      if (out) udp.send(out, r.port, r.address);
    });
    await new Promise<void>((res, rej) => {
      udp.once("error", rej);
      udp.bind(opts.port ?? 0, host, () => res());
    });
    const port = udp.address().port;
    const tcp = net.createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on("error", () => s.destroy());
      s.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const q = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + q.length);
          if (self) self.seen.tcp++;
          const out = reply(q);
          if (!out) continue;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          s.write(Buffer.concat([len, out]));
        }
      });
    });
    await new Promise<void>((res, rej) => {
      tcp.once("error", rej);
      tcp.listen(port, host, () => res());
    });
    self = new FakeUpstream(host, port, udp, tcp);
    return self;
  }

  close(): Promise<void> {
    this.#udp.close();
    return new Promise((r) => this.#tcp.close(() => r()));
  }
}
