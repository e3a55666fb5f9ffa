import {
  AF_NETLINK,
  EINTR,
  MSG_TRUNC,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_ROUTE,
  POLLIN,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_NETLINK,
  errno,
  libc,
  libcInPool,
} from "./libc.js";
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST } from "./nl/constants.js";
import { decodeMessages, encodeMessage, type NlMsg } from "./nl/messages.js";
import { decodeNlMsgErr } from "./nl/nlmsgerr.js";
import { KernelError } from "../errors.js";

/** Kernel dump datagrams are at most 32 KiB (or a page more); 64 KiB leaves room. */
const RECV_BUF = 1 << 16;

/** A failed request: errno plus the kernel's extended-ACK message, if any. */
export interface NetlinkFailure {
  readonly errno: number;
  readonly extack: string | undefined;
}

/**
 * A netlink socket (NETLINK_ROUTE unless `protocol` says otherwise, e.g.
 * NETLINK_NETFILTER). The socket belongs to the network namespace that
 * was current when it was opened, whatever the thread does afterwards.
 */
export class NetlinkSocket {
  readonly #fd: number;
  #seq = Math.floor(Math.random() * 1e6);
  readonly #buf = Buffer.alloc(RECV_BUF);

  constructor(protocol = NETLINK_ROUTE) {
    const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd < 0) throw new KernelError("open netlink socket", errno());
    const one = Buffer.alloc(4);
    one.writeUInt32LE(1);
    // extended ACKs carry the kernel's reason as text; kernels before 4.12 lack them, which is fine
    libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
    const sa = Buffer.alloc(12);
    sa.writeUInt16LE(AF_NETLINK, 0);
    if (libc.bind(fd, sa, 12) < 0) {
      const e = errno();
      libc.close(fd);
      throw new KernelError("bind netlink socket", e);
    }
    this.#fd = fd;
  }

  close(): void {
    libc.close(this.#fd);
  }

  /** Receive the multicast group's messages (e.g. NFNLGRP_NFTRACE) from now on. */
  joinGroup(group: number): void {
    const g = Buffer.alloc(4);
    g.writeUInt32LE(group);
    if (libc.setsockopt(this.#fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g, 4) < 0) throw new KernelError(`join netlink group ${group}`, errno());
  }

  /** The messages of the next datagram that arrives within `timeoutMs`; [] when none does (or a signal came). */
  receiveWithin(timeoutMs: number): NlMsg[] {
    const pfd = Buffer.alloc(8); // struct pollfd: int fd, short events, short revents
    pfd.writeInt32LE(this.#fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    const n = libc.poll(pfd, 1, Math.max(0, Math.ceil(timeoutMs)));
    if (n < 0 && errno() !== EINTR) throw new KernelError("wait for netlink messages", errno());
    return n > 0 ? this.#recv() : [];
  }

  /** Send a request with NLM_F_ACK and wait for the ACK; returns the failure instead of throwing. */
  tryRequest(type: number, flags: number, fixed: Buffer, attrs: Buffer): NetlinkFailure | undefined {
    return this.tryRequestReply(type, fixed, attrs, undefined, flags);
  }

  /** Like tryRequest, handing each reply message (e.g. the RTM_NEWLINK answering an RTM_GETLINK) to `onReply`. */
  tryRequestReply(type: number, fixed: Buffer, attrs: Buffer, onReply: ((body: Buffer) => void) | undefined, flags = 0): NetlinkFailure | undefined {
    const seq = this.#send(type, flags | NLM_F_REQUEST | NLM_F_ACK, fixed, attrs);
    for (;;) {
      for (const m of this.#recv()) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_ERROR) {
          const err = parseError(m);
          return err.errno === 0 ? undefined : err;
        }
        onReply?.(m.body);
      }
    }
  }

  /**
   * tryRequest with the send and the wait for the ACK on libuv's thread
   * pool: the kernel handles a request inside its send, so the calling
   * thread goes on meanwhile. Nothing else may use this socket until it
   * settles.
   */
  async tryRequestInPool(type: number, flags: number, fixed: Buffer, attrs: Buffer): Promise<NetlinkFailure | undefined> {
    const seq = ++this.#seq;
    const msg = encodeMessage(type, flags | NLM_F_REQUEST | NLM_F_ACK, seq, fixed, attrs);
    if ((await libcInPool.send(this.#fd, msg, msg.length, 0)) < 0)
      throw new KernelError("send netlink request", 5, { extack: "send failed on the thread pool" });
    for (;;) {
      const n = await libcInPool.recv(this.#fd, this.#buf, this.#buf.length, 0);
      if (n < 0) throw new KernelError("receive netlink reply", 5, { extack: "receive failed on the thread pool" });
      for (const m of decodeMessages(Buffer.from(this.#buf.subarray(0, n)))) {
        if (m.seq !== seq || m.type !== NLMSG_ERROR) continue;
        const err = parseError(m);
        return err.errno === 0 ? undefined : err;
      }
    }
  }

  /** Send a request and throw a KernelError naming `op` if the kernel refuses it. */
  request(op: string, type: number, flags: number, fixed: Buffer, attrs: Buffer): void {
    const f = this.tryRequest(type, flags, fixed, attrs);
    if (f) throw new KernelError(op, f.errno, f.extack === undefined ? {} : { extack: f.extack });
  }

  /** A dump request (NLM_F_DUMP): every message until NLMSG_DONE; retried if the kernel says it was interrupted. */
  dump(op: string, type: number, fixed: Buffer, attrs: Buffer = Buffer.alloc(0)): NlMsg[] {
    for (let attempt = 0; attempt < 5; attempt++) {
      const seq = this.#send(type, NLM_F_REQUEST | NLM_F_DUMP, fixed, attrs);
      const out: NlMsg[] = [];
      let interrupted = false;
      let done = false;
      while (!done) {
        for (const m of this.#recv()) {
          if (m.seq !== seq) continue;
          if (m.flags & NLM_F_DUMP_INTR) interrupted = true;
          if (m.type === NLMSG_DONE) {
            done = true;
            break;
          }
          if (m.type === NLMSG_ERROR) {
            const e = parseError(m);
            throw new KernelError(op, e.errno, e.extack === undefined ? {} : { extack: e.extack });
          }
          out.push(m);
        }
      }
      if (!interrupted) return out;
    }
    throw new KernelError(op, 4, { extack: "dump kept being interrupted by concurrent changes" });
  }

  #send(type: number, flags: number, fixed: Buffer, attrs: Buffer): number {
    const seq = ++this.#seq;
    const msg = encodeMessage(type, flags, seq, fixed, attrs);
    const n = Number(libc.send(this.#fd, msg, msg.length, 0));
    if (n < 0) throw new KernelError("send netlink request", errno());
    return seq;
  }

  #recv(): NlMsg[] {
    let n: number;
    do n = Number(libc.recv(this.#fd, this.#buf, this.#buf.length, MSG_TRUNC));
    while (n < 0 && errno() === EINTR);
    if (n < 0) throw new KernelError("receive netlink reply", errno());
    if (n > this.#buf.length) throw new KernelError("receive netlink reply", 90, { extack: `reply of ${n} bytes exceeds the ${this.#buf.length}-byte buffer` });
    // copy out: the buffer is reused by the next recv
    return decodeMessages(Buffer.from(this.#buf.subarray(0, n)));
  }
}

function parseError(m: NlMsg): NetlinkFailure {
  const e = decodeNlMsgErr(m);
  return { errno: e.errno, extack: e.extack };
}
