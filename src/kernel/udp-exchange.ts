import { SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, POLLIN, EINTR, errno, libc } from "./libc.js";
import { withNetns } from "./netns.js";
import { socketAddress } from "./sockaddr.js";
import { errnoName } from "../errors.js";

/** What one UDP request got back: a reply, silence until the deadline, or an error from the kernel (no route, ICMP unreachable). */
export type UdpExchangeResult =
  | { readonly kind: "reply"; readonly data: Buffer }
  | { readonly kind: "timeout"; readonly afterMs: number }
  | { readonly kind: "error"; readonly errno: number; readonly name: string };

const POLLFD_BYTES = 8; // struct pollfd: int fd, short events, short revents

function exchange(address: string, port: number, payload: Buffer, timeoutMs: number, accept: (reply: Buffer) => boolean): UdpExchangeResult {
  const sa = socketAddress(address, port);
  const fail = (): UdpExchangeResult => {
    const e = errno();
    return { kind: "error", errno: e, name: errnoName(e) };
  };
  const fd = libc.socket(sa.readUInt16LE(0), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail();
  try {
    // connected: an ICMP port or host unreachable comes back as ECONNREFUSED/EHOSTUNREACH on recv
    if (libc.connect(fd, sa, sa.length) < 0) return fail();
    if (Number(libc.send(fd, payload, payload.length, 0)) < 0) return fail();
    const started = Date.now();
    const pfd = Buffer.alloc(POLLFD_BYTES);
    pfd.writeInt32LE(fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    const buf = Buffer.alloc(65535);
    for (;;) {
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) return { kind: "timeout", afterMs: timeoutMs };
      pfd.writeInt16LE(0, 6);
      const n = libc.poll(pfd, 1, left);
      if (n < 0) {
        if (errno() === EINTR) continue;
        return fail();
      }
      if (n === 0) return { kind: "timeout", afterMs: timeoutMs };
      const got = Number(libc.recv(fd, buf, buf.length, 0));
      if (got < 0) return fail();
      const reply = Buffer.from(buf.subarray(0, got));
      if (accept(reply)) return { kind: "reply", data: reply };
    }
  } finally {
    libc.close(fd);
  }
}

/**
 * Send one UDP datagram to `address`:`port` from inside the network
 * namespace `netns` (the caller's own when undefined) and wait at most
 * `timeoutMs` for a reply that `accept` takes (others are skipped).
 * Synchronous: the socket is made while this thread is in the namespace,
 * and it blocks the thread for at most the timeout.
 */
export function udpExchange(
  netns: string | undefined,
  address: string,
  port: number,
  payload: Buffer,
  timeoutMs: number,
  accept: (reply: Buffer) => boolean = () => true,
): UdpExchangeResult {
  if (netns === undefined) return exchange(address, port, payload, timeoutMs, accept);
  return withNetns(netns, () => exchange(address, port, payload, timeoutMs, accept));
}
