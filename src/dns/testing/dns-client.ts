import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";

/** A query as bytes: id, RD, one question. */
export function makeQuery(name: string, type: dnsPacket.RecordType = "A", id = Math.floor(Math.random() * 65536)): Buffer {
  return dnsPacket.encode({ id, type: "query", flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }] });
}

/** Send raw bytes over UDP and wait for one reply (undefined after `timeoutMs`). */
export function udpQuery(server: string, port: number, query: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    const t = setTimeout(() => done(undefined), timeoutMs);
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      s.close();
      resolve(b);
    };
    s.on("message", (m) => done(m));
    s.on("error", () => done(undefined));
    s.send(query, port, server);
  });
}

/** Send one length-prefixed query over TCP and wait for its reply. */
export function tcpQuery(server: string, port: number, query: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: server, port });
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => done(undefined), timeoutMs);
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      s.destroy();
      resolve(b);
    };
    s.on("error", () => done(undefined));
    s.on("connect", () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      s.write(Buffer.concat([len, query]));
    });
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** What a test wants from a reply: rcode, A/PTR data, TC flag. */
export function summarize(reply: Buffer | undefined): { rcode: string; answers: string[]; tc: boolean } | undefined {
  if (!reply) return undefined;
  const p = dnsPacket.decode(reply);
  return {
    rcode: (p as { rcode?: string }).rcode ?? "?",
    answers: (p.answers ?? []).map((a) => String((a as { data?: unknown }).data)),
    tc: p.flag_tc,
  };
}
