import dgram from "node:dgram";
import net from "node:net";
import { readFileSync } from "node:fs";

const TIMEOUT_MS = 900;
const DOWN_FOR_MS = 30_000;

/**
 * Forwards queries upstream with the query's own protocol, trying servers in
 * order; a server that timed out is skipped for a while so one dead
 * upstream does not stall every lookup.
 */
export class Forwarder {
  readonly #downUntil = new Map<string, number>();

  forwardUdp(query: Buffer, servers: readonly string[]): Promise<Buffer | undefined> {
    return this.#forward(query, servers, udpOnce);
  }

  forwardTcp(query: Buffer, servers: readonly string[]): Promise<Buffer | undefined> {
    return this.#forward(query, servers, tcpOnce);
  }

  async #forward(query: Buffer, servers: readonly string[], once: (q: Buffer, server: string) => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
    for (const s of this.#order(servers)) {
      const r = await once(query, s).catch(() => undefined);
      if (r) return r;
      this.#downUntil.set(s, Date.now() + DOWN_FOR_MS);
    }
    return undefined;
  }

  /** Servers believed up first, then the ones marked down (as a last resort). */
  #order(servers: readonly string[]): string[] {
    const now = Date.now();
    const up = servers.filter((s) => (this.#downUntil.get(s) ?? 0) <= now);
    const down = servers.filter((s) => (this.#downUntil.get(s) ?? 0) > now);
    return [...new Set([...up, ...down])];
  }
}

function udpOnce(query: Buffer, server: string): Promise<Buffer | undefined> {
  const [host, port] = splitHostPort(server);
  return new Promise((resolve) => {
    const sock = dgram.createSocket("udp4");
    const timer = setTimeout(() => done(undefined), TIMEOUT_MS);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    sock.on("error", () => done(undefined));
    sock.on("message", (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    sock.send(query, port, host);
  });
}

function tcpOnce(query: Buffer, server: string): Promise<Buffer | undefined> {
  const [host, port] = splitHostPort(server);
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(undefined), TIMEOUT_MS * 2);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    sock.on("error", () => done(undefined));
    sock.on("connect", () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** "1.2.3.4" or "1.2.3.4:5353" (tests use a port). */
export function splitHostPort(s: string): [string, number] {
  const m = /^(.*):([0-9]+)$/.exec(s);
  return m && !s.includes("::") ? [m[1] ?? s, Number(m[2])] : [s, 53];
}

/** Nameservers of the host's resolv.conf, minus loopback ones containers cannot reach. */
export function hostNameservers(path = "/etc/resolv.conf"): string[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w[0] === "nameserver" && w[1] !== undefined)
      .map((w) => w[1] ?? "")
      .filter((ip) => /^[0-9.]+$/.test(ip));
  } catch {
    return [];
  }
}
