import { KernelError } from "../errors.js";
import { SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, errno, libc } from "../kernel/libc.js";
import { socketAddress } from "../kernel/sockaddr.js";

/** The receive buffer each listener asks for (the kernel doubles it for its bookkeeping). */
const RECEIVE_BUFFER_BYTES = 1 << 20;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

/**
 * A non-blocking UDP socket bound to `address`:`port`, as a file
 * descriptor (the resolver's UDP thread reads it with recvmmsg). Throws a
 * KernelError (EADDRNOTAVAIL while the address is not configured yet,
 * EADDRINUSE when the port is taken) with nothing left open.
 */
export function openUdpSocket(address: string, port: number): number {
  const sa = socketAddress(address, port);
  const fd = libc.socket(sa.readUInt16LE(0), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new KernelError(`open a UDP socket for ${address}`, errno());
  // Room for a burst (hundreds of containers starting at once ask together):
  // the default (~200 KiB) holds ~250 small datagrams. FORCE ignores the
  // namespace's rmem_max, as root; the plain option is capped by it.
  const size = Buffer.alloc(4);
  size.writeInt32LE(RECEIVE_BUFFER_BYTES);
  if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
  if (libc.bind(fd, sa, sa.length) < 0) {
    const e = errno();
    libc.close(fd);
    throw new KernelError(`bind ${address}:${port}/udp`, e);
  }
  return fd;
}

export function closeFd(fd: number): void {
  libc.close(fd);
}
