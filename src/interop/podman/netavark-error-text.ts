import { statSync } from "node:fs";
import { BerthError, KernelError } from "../../errors.js";
import type { NetavarkCommand } from "./netavark-args.js";

/**
 * netavark 1.4's exact wording for the failures Berth shares with it.
 * Podman shows netavark's `error` text as it is (`Error: netavark: ...`),
 * and people and scripts match on it (so do netavark's own tests), so for
 * these the adapter answers in netavark's words; Berth's own message and
 * hint go to stderr when Podman asks for info logs (netavark-call.ts).
 * Every other failure keeps Berth's message and hint.
 */

/** What Rust's io::Error prints for an errno (glibc's strerror text, then "(os error N)"). */
const STRERROR: Readonly<Record<number, string>> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  5: "Input/output error",
  13: "Permission denied",
  17: "File exists",
  19: "No such device",
  20: "Not a directory",
  21: "Is a directory",
  22: "Invalid argument",
  28: "No space left on device",
  30: "Read-only file system",
};

export function rustIoText(errno: number): string {
  return `${STRERROR[errno] ?? `Unknown error ${errno}`} (os error ${errno})`;
}

/** Texts the adapter attached to its own errors (input it refuses as netavark does). */
const attached = new WeakMap<object, string>();

/** Give an error of the adapter netavark's text for the same failure. */
export function withNetavarkText<E extends BerthError>(e: E, text: string): E {
  attached.set(e, text);
  return e;
}

/** The errors of a chain, outermost first (wrap() keeps the inner one as `cause`). */
function chainOf(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e; cur !== undefined && cur !== null && out.length < 16; cur = (cur as { cause?: unknown }).cause) out.push(cur);
  return out;
}

function errnoOfPath(path: string): number | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (e) {
    const n = (e as NodeJS.ErrnoException).errno;
    return typeof n === "number" ? Math.abs(n) : undefined;
  }
}

/** netavark's text for the failure `e` of `cmd`, or undefined when Berth's own words stand. */
export function netavarkErrorText(e: unknown, cmd: NetavarkCommand | undefined): string | undefined {
  const chain = chainOf(e);
  for (const x of chain) {
    const text = typeof x === "object" && x !== null ? attached.get(x) : undefined;
    if (text !== undefined) return text;
  }
  for (const x of chain) {
    if (x instanceof KernelError) {
      if (x.op.startsWith("set sysctl ")) return `Sysctl error: IO Error: ${rustIoText(x.errno)}`;
      const peer =
        x.errno === 17 && x.op.startsWith("create veth ") ? /^interface "([^"]+)" already exists in the peer's namespace/.exec(x.extack ?? "") : null;
      if (peer) return `create veth pair: interface ${peer[1] ?? ""} already exists on container namespace: Netlink error: ${rustIoText(17)}`;
    }
    if (!(x instanceof BerthError)) continue;
    if (x.code === "IPV6_DISABLED")
      return `add ip addr to bridge: failed to add ipv6 address, is ipv6 enabled in the kernel?: Netlink error: ${rustIoText(13)}`;
    if (x.code === "NETNS_NOT_FOUND" && cmd !== undefined && (cmd.verb === "setup" || cmd.verb === "teardown")) {
      const errno = errnoOfPath(cmd.netns);
      if (errno !== undefined) return `invalid namespace path: IO error: ${rustIoText(errno)}`;
    }
  }
  return undefined;
}
