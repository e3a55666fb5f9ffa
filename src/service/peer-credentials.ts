import { koffi } from "../native/koffi.js";
import { KernelError } from "../errors.js";
import { errno } from "../kernel/libc.js";

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

const getsockopt = koffi.load("libc.so.6").func("int getsockopt(int fd, int level, int name, void *val, _Inout_ uint32_t *len)") as (
  fd: number,
  level: number,
  name: number,
  val: Buffer,
  len: number[],
) => number;

/** Who is at the other end of a Unix socket, as the kernel recorded it at connect(2). */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** SO_PEERCRED of a connected Unix socket's descriptor. */
export function peerCredentials(fd: number): PeerCredentials {
  const buf = Buffer.alloc(12);
  const len = [12];
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, buf, len) !== 0) throw new KernelError("getsockopt(SO_PEERCRED)", errno());
  return { pid: buf.readInt32LE(0), uid: buf.readUInt32LE(4), gid: buf.readUInt32LE(8) };
}
