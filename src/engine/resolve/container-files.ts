import { readFileSync } from "node:fs";
import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { etcFilePaths } from "../sync/etc-files.js";

/** One file as the container sees it, with where it was read. */
export interface SeenFile {
  readonly path: string;
  readonly text: string;
}

/** The name-resolution files of a container, as its own processes see them. */
export interface ContainerResolverFiles {
  readonly resolvConf: SeenFile | undefined;
  readonly hosts: SeenFile | undefined;
  readonly nsswitch: SeenFile | undefined;
}

function read(path: string): SeenFile | undefined {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return undefined;
  }
}

/**
 * Read /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf through the
 * container's own root (/proc/PID/root), so a file edited or replaced
 * inside the container is what counts; when its process cannot be seen,
 * the files Berth bind-mounts there (and the host's nsswitch.conf, which
 * a Berth container shares).
 */
export function containerResolverFiles(engine: Engine, c: Container): ContainerResolverFiles {
  if (c.pid !== undefined) {
    const root = `/proc/${c.pid}/root`;
    const resolvConf = read(`${root}/etc/resolv.conf`);
    if (resolvConf) return { resolvConf, hosts: read(`${root}/etc/hosts`), nsswitch: read(`${root}/etc/nsswitch.conf`) };
  }
  if (c.managedBy !== undefined) return { resolvConf: undefined, hosts: undefined, nsswitch: undefined };
  const own = etcFilePaths(engine, c.id);
  return { resolvConf: read(own.resolvConf), hosts: read(own.hosts), nsswitch: read("/etc/nsswitch.conf") };
}
