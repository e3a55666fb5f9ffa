import { withNetns } from "../index.js";
import { hostSockets, type HostSocket } from "./host-sockets.js";

/**
 * Listening TCP and bound UDP sockets in a network namespace (the host's
 * when `netns` is undefined), read through /proc/thread-self/net while this
 * thread is inside it: /proc/net shows the namespace of the reading thread.
 */
export function socketsIn(netns: string | undefined): HostSocket[] {
  const read = (dir: string) => [...hostSockets("tcp", dir), ...hostSockets("udp", dir)];
  if (netns === undefined) return read("/proc/net");
  return withNetns(netns, () => read("/proc/thread-self/net"));
}

/** Whether traffic sent to `ip` reaches a socket bound on `address` (the address itself, or a wildcard). */
export function socketReaches(address: string, ip: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === ip;
}
