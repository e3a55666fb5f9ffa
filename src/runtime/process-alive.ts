import { readFileSync } from "node:fs";

export { processAlive } from "../process-alive.js";

/** Read a pid file; undefined if missing or not a positive integer. */
export function readPidFile(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
