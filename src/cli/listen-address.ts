import { isIPv4, isIPv6 } from "node:net";
import { BerthError } from "../errors.js";

/** Where `berth topology --serve` listens when no address is given. */
export const DEFAULT_SERVE_ADDRESS = "127.0.0.1:8470";

export interface ListenAddress {
  /** An IP address ("localhost" becomes 127.0.0.1). */
  readonly host: string;
  /** 0 lets the kernel pick a free port. */
  readonly port: number;
  readonly loopback: boolean;
}

/**
 * `PORT`, `IPV4:PORT`, `[IPV6]:PORT` or `localhost:PORT`. Names other than
 * localhost are refused: what a name resolves to is not known here.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  const bad = (why: string) =>
    new BerthError("INVALID_ARGUMENT", `Cannot serve on "${text}": ${why}`, { hint: `Give PORT, ADDRESS:PORT or [IPV6]:PORT, e.g. ${DEFAULT_SERVE_ADDRESS}` });
  if (!m || !Number.isInteger(port) || port > 65535) throw bad("not an address and port");
  let host = m[1] ?? m[2] ?? "127.0.0.1";
  if (host === "localhost") host = "127.0.0.1";
  if (m[1] !== undefined ? !isIPv6(host) : !isIPv4(host)) throw bad(`${host} is not an IP${m[1] !== undefined ? "v6" : "v4"} address`);
  return { host, port, loopback: isLoopback(host) };
}

export function isLoopback(ip: string): boolean {
  if (isIPv4(ip)) return ip.startsWith("127.");
  return ip === "::1" || /^(0{0,4}:){7}0{0,3}1$/.test(ip) || /^::ffff:127\./i.test(ip);
}

/** "127.0.0.1:8470", "[::1]:8470". */
export function formatListenAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
