import { chmodSync, rmSync } from "node:fs";
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM, errno, libc } from "./libc.js";
import { KernelError } from "../errors.js";

/** sun_path's size in struct sockaddr_un. */
const SUN_PATH_MAX = 108;
const BACKLOG = 511;

/**
 * A listening Unix stream socket bound at `path` (a file already there is
 * replaced), with file mode `mode`: its descriptor, for
 * `net.Server.listen({ fd })`. Node unlinks the path of a socket it bound
 * itself when the server closes, whatever file is there by then: a
 * service stopping after `system reset` removed its run dir took the
 * socket its successor had just made. A descriptor bound here is closed
 * without touching the path; the owner removes its own file.
 */
export function listenUnixSocket(path: string, mode: number): number {
  const name = Buffer.from(path);
  if (name.length >= SUN_PATH_MAX) throw new KernelError(`listen on ${path}`, 36, { extack: `a Unix socket path has at most ${SUN_PATH_MAX - 1} bytes` });
  const addr = Buffer.alloc(2 + SUN_PATH_MAX);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  const fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new KernelError(`open a Unix socket for ${path}`, errno());
  try {
    rmSync(path, { force: true });
    if (libc.bind(fd, addr, 2 + name.length + 1) < 0) throw new KernelError(`bind ${path}`, errno());
    chmodSync(path, mode);
    if (libc.listen(fd, BACKLOG) < 0) throw new KernelError(`listen on ${path}`, errno());
    return fd;
  } catch (e) {
    libc.close(fd);
    throw e;
  }
}
