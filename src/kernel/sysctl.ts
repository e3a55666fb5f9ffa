import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { KernelError } from "../errors.js";

const EINVAL = 22;

/**
 * The /proc/sys file of a dotted key. As sysctl(8) writes them, a "/" in a
 * key stands for a "." inside one component (an interface named br.100 is
 * net.ipv4.conf.br/100.route_localnet); see sysctlIfName().
 */
function pathOf(key: string): string {
  if (!/^[a-z0-9_/-]+(\.[a-z0-9_/-]+)+$/i.test(key) || key.includes("//") || /(^|\.)\//.test(key) || /\/($|\.)/.test(key)) {
    throw new KernelError(`sysctl "${key}"`, EINVAL, {
      code: "INVALID_ARGUMENT",
      extack: "not a sysctl name like net.ipv4.ip_forward",
      hint: "Use dotted names as `sysctl -a` lists them",
    });
  }
  return `/proc/sys/${key.replace(/[./]/g, (c) => (c === "." ? "/" : "."))}`;
}

/** An interface name as one component of a sysctl key: "." written as "/" (br.100 -> br/100), as sysctl(8) does. */
export function sysctlIfName(ifname: string): string {
  return ifname.replace(/\./g, "/");
}

function errnoOf(e: unknown): number {
  const n = (e as NodeJS.ErrnoException).errno;
  return typeof n === "number" ? Math.abs(n) : EINVAL;
}

/**
 * Write a sysctl in the calling thread's network namespace (wrap in
 * withNetns() for a container's). Skips the write when the value is already set.
 * Equivalent to: sysctl -w KEY=VALUE
 */
export function sysctlWrite(key: string, value: string): void {
  const p = pathOf(key);
  let fd: number | undefined;
  try {
    // one open for the read and the write: each path walk under /proc/sys costs more with every network namespace on the host
    fd = openSync(p, "r+");
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (buf.toString("utf8", 0, n).trim() === value) return;
    writeSync(fd, value, 0);
  } catch (e) {
    // a read-only /proc/sys (Berth in a container) that already holds the value needs no write
    if (fd === undefined && alreadySet(p, value)) return;
    throw new KernelError(`set sysctl ${key}=${value}`, errnoOf(e));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function alreadySet(path: string, value: string): boolean {
  try {
    return readFileSync(path, "utf8").trim() === value;
  } catch {
    return false;
  }
}

/** Equivalent to: sysctl -n KEY */
export function sysctlRead(key: string): string {
  const p = pathOf(key);
  try {
    return readFileSync(p, "utf8").trim();
  } catch (e) {
    throw new KernelError(`read sysctl ${key}`, errnoOf(e));
  }
}
