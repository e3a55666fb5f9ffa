import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ContainerProcessSpec } from "./container-spec.js";
import { buildOciConfig, BUNDLE_ROOTFS, HOST_HOME_DIR, HOST_ROOT_DIRS } from "./oci-config.js";

/** The merged-/usr symlinks at the top of a host-root skeleton (Debian 12 layout). */
export const HOST_ROOT_LINKS: Readonly<Record<string, string>> = { bin: "usr/bin", sbin: "usr/sbin", lib: "usr/lib", lib64: "usr/lib64" };

/** Mount points the runtime needs at the top of the skeleton. */
const SKELETON_DIRS = ["proc", "dev", "sys", "tmp", "run"];

/**
 * Write an OCI bundle: `<bundleDir>/config.json`, and, for the host-root
 * default, a skeleton root `<bundleDir>/rootfs` (the merged-/usr symlinks plus
 * empty mount points) over which the host's directories are bind-mounted
 * read-only. The skeleton keeps the runtime from ever creating mount points
 * on the host's own filesystem. Safe to call again for the same bundle.
 */
export function writeBundle(spec: ContainerProcessSpec, bundleDir: string): void {
  mkdirSync(bundleDir, { recursive: true, mode: 0o700 });
  const hostDirs = HOST_ROOT_DIRS.filter((d) => existsSync(d));
  if (spec.rootfs === undefined) {
    const rootfs = join(bundleDir, BUNDLE_ROOTFS);
    for (const d of [...SKELETON_DIRS, ...hostDirs, ...(spec.hostHome && existsSync(HOST_HOME_DIR) ? [HOST_HOME_DIR] : [])])
      mkdirSync(join(rootfs, d), { recursive: true });
    for (const [link, target] of Object.entries(HOST_ROOT_LINKS)) {
      const p = join(rootfs, link);
      if (!existsSync(p) && existsSync(join("/", target))) symlinkSync(target, p);
    }
  }
  const file = join(bundleDir, "config.json");
  writeFileSync(`${file}.tmp`, JSON.stringify(buildOciConfig(spec, { hostDirs }), null, 1), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
