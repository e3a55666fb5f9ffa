import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { HOST_ROOT_DIRS, INIT_PATH } from "../../runtime/index.js";
import { fromConfig as containerAnnotations } from "../container/container-annotations.js";
import { portsText } from "../views/container-view.js";

/** What `berth ps` shows of a container: its record and what its bundle says. */
export interface ContainerListEntry {
  readonly container: Container;
  /** Its `--label`s (from the bundle's annotations). */
  readonly labels: Readonly<Record<string, string>>;
  /** The container paths of its bind mounts (not the files Berth itself mounts). */
  readonly volumes: readonly string[];
  /** "0.0.0.0:9090->8080/tcp, ..." */
  readonly ports: string;
}

/** The files and directories every container gets bind-mounted: not volumes. */
const OWN_MOUNTS = ["/etc/hosts", "/etc/resolv.conf", "/etc/hostname", INIT_PATH];

/**
 * `berth ps [-a]`: the containers running (or being created), or with
 * `all` every container.
 */
export function listContainers(engine: Engine, opts: { readonly all: boolean }): ContainerListEntry[] {
  return engine.store.containers
    .list()
    .filter((c) => opts.all || c.status === "running" || c.status === "creating")
    .map((c) => {
      const cfg = engine.runtime.bundleConfig(c.id);
      const volumes = (cfg?.mounts ?? []).filter((m) => m.type === "bind" && !OWN_MOUNTS.includes(m.destination) && !HOST_ROOT_DIRS.includes(m.destination));
      return { container: c, labels: containerAnnotations(cfg).labels, volumes: volumes.map((m) => m.destination), ports: portsText(engine, c) };
    });
}

/** The containers `berth rm --all` removes: Berth's own (not those Podman or a CNI runtime own), not already being removed. */
export function ownContainerIds(engine: Engine): string[] {
  return engine.store.containers
    .list()
    .filter((c) => c.managedBy === undefined && c.status !== "removing")
    .map((c) => c.id);
}
