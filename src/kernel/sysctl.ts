import { readFileSync, writeFileSync } from "node:fs";
import { KernelError } from "../errors.js";

function pathOf(key: string): string {
  if (!/^[a-z0-9_.-]+$/i.test(key) || key.includes("..")) throw new KernelError(`sysctl ${key}`, 22, { extack: "invalid sysctl name" });
  return `/proc/sys/${key.replace(/\./g, "/")}`;
}

/**
 * Write a sysctl in the calling thread's network namespace (use inside
 * withNetns() for a container). Equivalent to: sysctl -w KEY=VALUE
 */
export function sysctlWrite(key: string, value: string): void {
  const p = pathOf(key);
  try {
    if (readFileSync(p, "utf8").trim() === value) return;
    writeFileSync(p, value);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KernelError(`set sysctl ${key}=${value}`, code === "ENOENT" ? 2 : code === "EACCES" || code === "EROFS" ? 13 : 22, { cause: e });
  }
}

/** Equivalent to: sysctl -n KEY */
export function sysctlRead(key: string): string {
  return readFileSync(pathOf(key), "utf8").trim();
}
