import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOciConfig, HOST_ROOT_DIRS, HOST_ROOT_LINKS, type ContainerProcessSpec } from "./oci-config.js";

/**
 * Write an OCI bundle: config.json, and for the host-root default a skeleton
 * root (the merged-/usr symlinks plus empty mount points) over which the
 * host's directories are bind-mounted read-only.
 */
export function writeBundle(spec: ContainerProcessSpec, bundleDir: string): void {
  mkdirSync(bundleDir, { recursive: true, mode: 0o700 });
  let rootfs = spec.rootfs;
  const hostDirs = HOST_ROOT_DIRS.filter((d) => existsSync(d));
  if (rootfs === undefined) {
    rootfs = join(bundleDir, "rootfs");
    mkdirSync(rootfs, { recursive: true });
    for (const [link, target] of Object.entries(HOST_ROOT_LINKS)) {
      const p = join(rootfs, link);
      if (!existsSync(p) && existsSync(join("/", target))) symlinkSync(target, p);
    }
    for (const d of [...hostDirs, "/proc", "/dev", "/sys", "/tmp", "/run"]) mkdirSync(join(rootfs, d), { recursive: true });
  }
  writeFileSync(join(bundleDir, "config.json"), JSON.stringify(buildOciConfig(spec, rootfs, hostDirs)), { mode: 0o600 });
}
