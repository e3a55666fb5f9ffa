import { rmSync, statSync } from "node:fs";

/**
 * Which file is at `path`: its device, inode and birth time. An inode
 * number alone is not enough: after `system reset` removed the run dir, a
 * successor's new socket can get the inode the old one had (ext4 hands a
 * freed inode out again at once).
 */
export function fileIdentity(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}:${st.birthtimeNs}`;
}

/** Remove `path` only if it is still the file `identity` names (ours), not one a successor made since. */
export function removeIfOurs(path: string, identity: string | undefined): void {
  if (identity === undefined) return;
  try {
    if (fileIdentity(path) === identity) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}
