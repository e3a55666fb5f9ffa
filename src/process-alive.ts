import { readFileSync } from "node:fs";

/**
 * Whether process `pid` is alive: it exists and is not a zombie waiting to
 * be reaped (kill(pid, 0) succeeds on zombies, and a detached process whose
 * parent never reaps it stays one).
 */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")"
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const state = stat.charAt(close + 2);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
