import { KernelError } from "../errors.js";
import { koffi } from "../native/koffi.js";
import { EAGAIN, EINTR, MSG_DONTWAIT, MSG_TRUNC, errno, libc } from "../kernel/libc.js";

/** Datagrams taken from the kernel (and replies handed back) per system call. */
export const BATCH_SLOTS = 64;
/** Largest query kept whole; a longer one arrives truncated (see truncated()). */
export const QUERY_SLOT_BYTES = 4096;
/** Largest reply that goes out through the batch; a longer one goes through sendOne(). */
export const REPLY_SLOT_BYTES = 2048;

// struct mmsghdr on LP64 Linux (x86_64, aarch64): struct msghdr (56 bytes) + unsigned int msg_len, padded to 64
const MMSG = 64;
const MSG_NAME = 0;
const MSG_NAMELEN = 8;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_FLAGS = 48;
const MSG_LEN = 56;
const IOVEC = 16;
/** Room for a sockaddr_in6 (28 bytes). */
const NAME = 32;

/** Byte offsets of each array in the one native block. */
const RX_MSGS = 0;
const TX_MSGS = RX_MSGS + BATCH_SLOTS * MMSG;
const RX_IOV = TX_MSGS + BATCH_SLOTS * MMSG;
const TX_IOV = RX_IOV + BATCH_SLOTS * IOVEC;
const RX_NAME = TX_IOV + BATCH_SLOTS * IOVEC;
const TX_NAME = RX_NAME + BATCH_SLOTS * NAME;
const RX_DATA = TX_NAME + BATCH_SLOTS * NAME;
const TX_DATA = RX_DATA + BATCH_SLOTS * QUERY_SLOT_BYTES;
const TOTAL = TX_DATA + BATCH_SLOTS * REPLY_SLOT_BYTES;

/**
 * Receive and reply to UDP datagrams in batches (recvmmsg/sendmmsg) through
 * one block of native memory set up once: the kernel writes queries and
 * their senders straight into it and reads replies from it, so answering a
 * datagram allocates nothing on the JavaScript heap. (Node's dgram gives
 * each datagram its own ArrayBuffer, address string and rinfo object; at
 * 20k queries a second that garbage, and the sweeping of the ArrayBuffers,
 * set the resolver's tail latency: bench/README.md.)
 *
 * Use: receive() fills slots 0..n-1; for each, read query(i)/length(i)/
 * the sender, write a reply into nextReply() and queueReply(i, length);
 * then flush(). One thread only.
 */
export class DatagramBatch {
  readonly #mem: unknown;
  readonly #bytes: Buffer;
  readonly #view: DataView;
  readonly #rxMsgs: Buffer;
  readonly #queries: readonly Buffer[];
  readonly #replies: readonly Buffer[];
  /** The tx slots' mmsghdr array from slot k on, for resending after a datagram the kernel refused. */
  readonly #txFrom: readonly Buffer[];
  #received = 0;
  #queued = 0;
  #freed = false;

  constructor() {
    this.#mem = koffi.alloc("uint8_t", TOTAL);
    const base = koffi.address(this.#mem);
    this.#bytes = Buffer.from(koffi.view(this.#mem, TOTAL));
    this.#bytes.fill(0);
    this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, TOTAL);
    const v = this.#view;
    const queries: Buffer[] = [];
    const replies: Buffer[] = [];
    const txFrom: Buffer[] = [];
    for (let i = 0; i < BATCH_SLOTS; i++) {
      for (const [msgs, iov, name, data, size] of [
        [RX_MSGS, RX_IOV, RX_NAME, RX_DATA, QUERY_SLOT_BYTES],
        [TX_MSGS, TX_IOV, TX_NAME, TX_DATA, REPLY_SLOT_BYTES],
      ] as const) {
        v.setBigUint64(iov + i * IOVEC, base + BigInt(data + i * size), true);
        v.setBigUint64(iov + i * IOVEC + 8, BigInt(size), true);
        v.setBigUint64(msgs + i * MMSG + MSG_NAME, base + BigInt(name + i * NAME), true);
        v.setUint32(msgs + i * MMSG + MSG_NAMELEN, NAME, true);
        v.setBigUint64(msgs + i * MMSG + MSG_IOV, base + BigInt(iov + i * IOVEC), true);
        v.setBigUint64(msgs + i * MMSG + MSG_IOVLEN, 1n, true);
      }
      queries.push(this.#bytes.subarray(RX_DATA + i * QUERY_SLOT_BYTES, RX_DATA + (i + 1) * QUERY_SLOT_BYTES));
      replies.push(this.#bytes.subarray(TX_DATA + i * REPLY_SLOT_BYTES, TX_DATA + (i + 1) * REPLY_SLOT_BYTES));
      txFrom.push(this.#bytes.subarray(TX_MSGS + i * MMSG, TX_MSGS + BATCH_SLOTS * MMSG));
    }
    this.#rxMsgs = this.#bytes.subarray(RX_MSGS, RX_MSGS + BATCH_SLOTS * MMSG);
    this.#queries = queries;
    this.#replies = replies;
    this.#txFrom = txFrom;
  }

  /**
   * Take up to BATCH_SLOTS waiting datagrams from `fd` without blocking.
   * Returns how many (0: none waiting). Throws on a socket error other than
   * "nothing waiting" or an interrupted call.
   */
  receive(fd: number): number {
    const v = this.#view;
    // the kernel wrote the previous senders' address lengths over these
    for (let i = 0; i < this.#received; i++) v.setUint32(RX_MSGS + i * MMSG + MSG_NAMELEN, NAME, true);
    this.#queued = 0;
    const n = libc.recvmmsg(fd, this.#rxMsgs, BATCH_SLOTS, MSG_DONTWAIT, null);
    if (n < 0) {
      const e = errno();
      this.#received = 0;
      if (e === EAGAIN || e === EINTR) return 0;
      throw new KernelError("read queries (recvmmsg)", e);
    }
    this.#received = n;
    return n;
  }

  /** Slot i's datagram: the first length(i) bytes of this buffer (which is longer). */
  query(i: number): Buffer {
    return this.#queries[i]!;
  }

  length(i: number): number {
    return this.#view.getUint32(RX_MSGS + i * MMSG + MSG_LEN, true);
  }

  /** The datagram was longer than QUERY_SLOT_BYTES; query(i) holds its start. */
  truncated(i: number): boolean {
    return (this.#view.getInt32(RX_MSGS + i * MMSG + MSG_FLAGS, true) & MSG_TRUNC) !== 0;
  }

  /** The sender's address family (AF_INET or AF_INET6). */
  family(i: number): number {
    return this.#view.getUint16(RX_NAME + i * NAME, true);
  }

  /** An IPv4 sender's address as a signed 32-bit number (a small integer to V8, so a map key without allocation). */
  ipv4Key(i: number): number {
    return this.#view.getInt32(RX_NAME + i * NAME + 4, false);
  }

  /** An IPv4 sender's address in dotted form. */
  ipv4Text(i: number): string {
    const o = RX_NAME + i * NAME + 4;
    const b = this.#bytes;
    return `${b[o]!}.${b[o + 1]!}.${b[o + 2]!}.${b[o + 3]!}`;
  }

  /** An IPv6 sender's address as a 128-bit number. */
  ipv6(i: number): bigint {
    const o = RX_NAME + i * NAME + 8;
    return (this.#view.getBigUint64(o, false) << 64n) | this.#view.getBigUint64(o + 8, false);
  }

  /** A copy of the sender's socket address, for replying later with sendOne(). */
  sender(i: number): Buffer {
    const len = this.#view.getUint32(RX_MSGS + i * MMSG + MSG_NAMELEN, true);
    const o = RX_NAME + i * NAME;
    return Buffer.from(this.#bytes.subarray(o, o + Math.min(len, NAME)));
  }

  /** The buffer to write the next queued reply into (REPLY_SLOT_BYTES long). */
  nextReply(): Buffer {
    return this.#replies[this.#queued]!;
  }

  /** Queue the `length` bytes written into nextReply() as the reply to slot i's sender. */
  queueReply(i: number, length: number): void {
    const j = this.#queued++;
    const v = this.#view;
    this.#bytes.copyWithin(TX_NAME + j * NAME, RX_NAME + i * NAME, RX_NAME + (i + 1) * NAME);
    v.setUint32(TX_MSGS + j * MMSG + MSG_NAMELEN, v.getUint32(RX_MSGS + i * MMSG + MSG_NAMELEN, true), true);
    v.setUint32(TX_IOV + j * IOVEC + 8, length, true);
  }

  /**
   * Send the queued replies without blocking. A reply the kernel refuses
   * (socket buffer full, sender unreachable) is dropped, as a lost UDP
   * datagram would be; the client retries.
   */
  flush(fd: number): void {
    let sent = 0;
    while (sent < this.#queued) {
      const n = libc.sendmmsg(fd, this.#txFrom[sent]!, this.#queued - sent, MSG_DONTWAIT);
      if (n < 0 && errno() === EINTR) continue;
      sent += n > 0 ? n : 1;
    }
    this.#queued = 0;
  }

  /** Give the native memory back. The batch is unusable afterwards. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    koffi.free(this.#mem);
  }
}

/** Send one datagram to a socket address copied with DatagramBatch.sender(); false if the kernel refused it. */
export function sendOne(fd: number, data: Buffer, to: Buffer): boolean {
  return Number(libc.sendto(fd, data, data.length, MSG_DONTWAIT, to, to.length)) === data.length;
}
