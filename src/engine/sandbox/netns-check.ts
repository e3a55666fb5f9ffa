import { BerthError } from "../../errors.js";
import type { Kernel } from "../deps/index.js";
import { printable } from "../../model/names.js";

/**
 * Namespaces a sandbox must never be: the host's (pid 1's) and the
 * caller's own (this process's and its parent's, i.e. the runtime that
 * called the plugin). Building a container's network there would put its
 * veth, address and default route on the host itself.
 */
const NOT_A_SANDBOX: readonly { readonly path: () => string; readonly what: string }[] = [
  { path: () => "/proc/1/ns/net", what: "the host's own network namespace (that of pid 1)" },
  { path: () => "/proc/self/ns/net", what: "the network namespace Berth itself runs in (the caller's own)" },
  { path: () => `/proc/${process.ppid}/ns/net`, what: "the network namespace of the runtime that called Berth" },
];

/**
 * Refuse, before anything changes, a sandbox namespace path that is not a
 * network namespace (a regular file, a mount namespace) or that is the
 * host's or the caller's own network namespace (same device and inode).
 */
export function checkSandboxNetns(kernel: Kernel, path: string): void {
  const ns = kernel.namespaceOf(path);
  if (ns === undefined || ns.kind !== "net") {
    throw new BerthError(
      "NETNS_NOT_FOUND",
      `Network namespace "${printable(path)}" does not exist or is not a network namespace${ns ? ` (it is a ${ns.kind} namespace)` : ""}`,
      {
        hint: "Give the path of the container's network namespace (the runtime creates it before calling the network backend)",
      },
    );
  }
  for (const n of NOT_A_SANDBOX) {
    const other = kernel.namespaceOf(n.path());
    if (other && other.dev === ns.dev && other.ino === ns.ino) {
      throw new BerthError("INVALID_ARGUMENT", `Refusing to set up a container network in "${printable(path)}": it is ${n.what}`, {
        hint: "Berth builds a container's network only in a namespace of the container's own; give the path of the namespace the runtime made for the container",
      });
    }
  }
}
