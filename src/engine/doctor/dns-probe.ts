import { randomInt } from "node:crypto";
import { AF_INET, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, errno, libc } from "../../kernel/libc.js";
import { withNetns } from "../../kernel/netns.js";
import { KernelError } from "../../errors.js";
import { socketAddress } from "../../kernel/sockaddr.js";
import { CLASS_IN, FLAG_QR, FLAG_RD, HEADER_LENGTH, TYPE_A, TYPE_AAAA } from "../../dns/wire/constants.js";
import { header } from "../../dns/wire/header.js";
import { question } from "../../dns/wire/question.js";

/** What a container got when it asked the resolver: a reply's rcode, or nothing in time. */
export type ProbeOutcome = { readonly answered: true; readonly rcode: number } | { readonly answered: false };

/** sizeof(struct pollfd). */
const POLLFD_BYTES = 8;

/**
 * Ask `server`:`port` for `name` over UDP from inside the network namespace
 * at `netns`, the way a container's stub resolver does, and wait up to
 * `timeoutMs` for the reply (synchronously: doctor is a one-shot command).
 * Only the socket is made inside the namespace; the thread switches back
 * at once and the socket stays where it was made.
 */
export function queryFromNetns(netns: string, server: string, port: number, name: string, timeoutMs: number): ProbeOutcome {
  const to = socketAddress(server, port);
  const family = to.readUInt16LE(0);
  const fd = withNetns(netns, () => libc.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd < 0) throw new KernelError(`open a UDP socket in ${netns}`, errno());
  try {
    const id = randomInt(65536);
    const q = Buffer.concat([
      header.encode({ id, flags: FLAG_RD, qdcount: 1, ancount: 0, nscount: 0, arcount: 0 }),
      question.encode({ name, type: family === AF_INET ? TYPE_A : TYPE_AAAA, class: CLASS_IN }),
    ]);
    if (Number(libc.sendto(fd, q, q.length, 0, to, to.length)) < 0) throw new KernelError(`send a DNS query to ${server}:${port} from ${netns}`, errno());
    const pfd = Buffer.alloc(POLLFD_BYTES);
    pfd.writeInt32LE(fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    const reply = Buffer.alloc(1232);
    const deadline = Date.now() + timeoutMs;
    for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
      if (libc.poll(pfd, 1, left) <= 0) continue;
      const n = Number(libc.recv(fd, reply, reply.length, 0));
      if (n < HEADER_LENGTH) continue;
      const flags = reply.readUInt16BE(2);
      if (reply.readUInt16BE(0) === id && (flags & FLAG_QR) !== 0) return { answered: true, rcode: flags & 0xf };
    }
    return { answered: false };
  } finally {
    libc.close(fd);
  }
}
