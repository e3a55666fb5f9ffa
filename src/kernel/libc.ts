import { koffi } from "../native/koffi.js";

/**
 * The few libc calls Berth makes directly, through koffi. All run on the
 * calling (main) thread: setns/unshare change only that thread's namespace,
 * so callers must switch back in `finally` (see netns.ts).
 */
const lib = koffi.load("libc.so.6");

/** send and recv, called on this thread (libc.send) or on libuv's pool (libcInPool). */
const sendFn = lib.func("intptr_t send(int fd, void *buf, size_t len, int flags)");
const recvFn = lib.func("intptr_t recv(int fd, void *buf, size_t len, int flags)");

export const libc = {
  socket: lib.func("int socket(int domain, int type, int protocol)") as (domain: number, type: number, protocol: number) => number,
  bind: lib.func("int bind(int fd, void *addr, uint32_t len)") as (fd: number, addr: Buffer, len: number) => number,
  getsockname: lib.func("int getsockname(int fd, void *addr, void *len)") as (fd: number, addr: Buffer, len: Buffer) => number,
  connect: lib.func("int connect(int fd, void *addr, uint32_t len)") as (fd: number, addr: Buffer, len: number) => number,
  listen: lib.func("int listen(int fd, int backlog)") as (fd: number, backlog: number) => number,
  setsockopt: lib.func("int setsockopt(int fd, int level, int name, void *val, uint32_t len)") as (
    fd: number,
    level: number,
    name: number,
    val: Buffer,
    len: number,
  ) => number,
  send: sendFn as unknown as (fd: number, buf: Buffer, len: number, flags: number) => number | bigint,
  recv: recvFn as unknown as (fd: number, buf: Buffer, len: number, flags: number) => number | bigint,
  close: lib.func("int close(int fd)") as (fd: number) => number,
  setns: lib.func("int setns(int fd, int nstype)") as (fd: number, nstype: number) => number,
  unshare: lib.func("int unshare(int flags)") as (flags: number) => number,
  mount: lib.func("int mount(const char *source, const char *target, const char *fstype, unsigned long flags, void *data)") as (
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: null,
  ) => number,
  umount2: lib.func("int umount2(const char *target, int flags)") as (target: string, flags: number) => number,
  gettid: lib.func("int gettid()") as () => number,
  /** ioctl without an argument (NS_GET_NSTYPE); the third is passed as 0. */
  ioctl: lib.func("int ioctl(int fd, unsigned long request, unsigned long arg)") as (fd: number, request: number, arg: number) => number,
  // the resolver's UDP path (dns/datagram-batch.ts), on its own thread
  recvmmsg: lib.func("int recvmmsg(int fd, void *msgs, unsigned int vlen, int flags, void *timeout)") as (
    fd: number,
    msgs: Buffer,
    vlen: number,
    flags: number,
    timeout: null,
  ) => number,
  sendmmsg: lib.func("int sendmmsg(int fd, void *msgs, unsigned int vlen, int flags)") as (fd: number, msgs: Buffer, vlen: number, flags: number) => number,
  sendto: lib.func("intptr_t sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t addrlen)") as (
    fd: number,
    buf: Buffer,
    len: number,
    flags: number,
    addr: Buffer,
    addrlen: number,
  ) => number | bigint,
  poll: lib.func("int poll(void *fds, unsigned long nfds, int timeout)") as (fds: Buffer, nfds: number, timeout: number) => number,
  eventfd: lib.func("int eventfd(unsigned int initval, int flags)") as (initval: number, flags: number) => number,
  read: lib.func("intptr_t read(int fd, void *buf, size_t len)") as (fd: number, buf: Buffer, len: number) => number | bigint,
  write: lib.func("intptr_t write(int fd, void *buf, size_t len)") as (fd: number, buf: Buffer, len: number) => number | bigint,
  // the resolver daemon's one-per-host lock (dns/singleton.ts)
  flock: lib.func("int flock(int fd, int operation)") as (fd: number, operation: number) => number,
};

type PoolCall = (fd: number, buf: Buffer, len: number, flags: number, done: (err: unknown, result: number | bigint) => void) => void;

function inPool(call: PoolCall, fd: number, buf: Buffer, len: number, flags: number): Promise<number> {
  return new Promise((resolve, reject) =>
    call(fd, buf, len, flags, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(Number(result)))),
  );
}

/**
 * send and recv on a thread of libuv's pool (koffi's async calls): the
 * calling thread goes on while the kernel works. The pool thread's errno
 * is not kept: a failure is just -1. `buf` must not change until the
 * promise settles.
 */
export const libcInPool = {
  send: (fd: number, buf: Buffer, len: number, flags: number): Promise<number> => inPool((sendFn as { async: PoolCall }).async, fd, buf, len, flags),
  recv: (fd: number, buf: Buffer, len: number, flags: number): Promise<number> => inPool((recvFn as { async: PoolCall }).async, fd, buf, len, flags),
};

/** errno of the last failed libc call on this thread. */
export function errno(): number {
  return koffi.errno();
}

export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_STREAM = 1;
export const AF_UNIX = 1;
export const SOCK_CLOEXEC = 0x80000;
export const NETLINK_ROUTE = 0;
export const SOL_NETLINK = 270;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GET_STRICT_CHK = 12;
export const CLONE_NEWNET = 0x40000000;
/** ioctl on a namespace file: which kind of namespace it is (a CLONE_NEW* value). */
export const NS_GET_NSTYPE = 0xb703;
export const MS_BIND = 4096;
export const MS_REC = 16384;
export const MS_SHARED = 1 << 20;
export const MNT_DETACH = 2;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0x800;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const POLLIN = 0x1;
export const EFD_NONBLOCK = 0x800;
export const EFD_CLOEXEC = 0x80000;
export const EINTR = 4;
export const EAGAIN = 11;
export const EWOULDBLOCK = EAGAIN;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
