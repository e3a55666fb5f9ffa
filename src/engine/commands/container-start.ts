import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { BerthError, wrap } from "../../errors.js";
import { containerRunDir } from "../../paths.js";
import { requireContainer } from "../network/network-lookup.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { setupContainerNetwork, teardownContainerNetwork } from "../container/container-network.js";
import { publishPorts, reservePorts } from "../ports/ports.js";
import { writeEtcFiles } from "../sync/etc-files.js";
import { syncDns } from "../sync/dns-sync.js";
import { selfCommand } from "../self-command.js";
import { fromConfig } from "../container/container-annotations.js";

/** Marker file: the user stopped or killed the container, so its restart policy must not start it again. */
const STOPPED_BY_USER = "stopped-by-user";

export function bundleDirOf(engine: Engine, id: string): string {
  return join(containerRunDir(engine.paths, id), "bundle");
}

export function markStoppedByUser(engine: Engine, id: string): void {
  const dir = containerRunDir(engine.paths, id);
  if (existsSync(dir)) writeFileSync(join(dir, STOPPED_BY_USER), "");
}

export function stoppedByUser(engine: Engine, id: string): boolean {
  return existsSync(join(containerRunDir(engine.paths, id), STOPPED_BY_USER));
}

/**
 * `berth start NAME`: start a created or stopped container again, detached
 * under conmon, with the same bundle (command, environment, mounts, terminal)
 * and the same network requests: it gets its networks back (a fresh
 * namespace and leases, as Podman sets a container's network up at each
 * start), its published ports (the same host ports) and its DNS names. A
 * running container is left as it is. On failure the network made here is
 * taken down again and the container stays stopped.
 */
export async function startContainer(engine: Engine, nameOrId: string): Promise<Container> {
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "start");
  if (c.status === "running") return c;
  if (c.status !== "exited") {
    throw new BerthError("CONTAINER_RUNNING", `Cannot start container "${c.name}": it is being ${c.status === "creating" ? "created" : "removed"}`, {
      hint: "Wait for the other berth command to finish",
    });
  }
  if (c.mode === "container" && c.modeTarget !== undefined) {
    const target = engine.store.containers.byId(c.modeTarget);
    if (target?.status !== "running") {
      throw new BerthError(
        "CONTAINER_NOT_RUNNING",
        `Cannot start container "${c.name}": it shares the network namespace of container "${target?.name ?? c.modeTarget}", which is not running`,
        {
          hint: `Start that one first: berth start ${target?.name ?? c.modeTarget}`,
        },
      );
    }
  }
  const bundle = bundleDirOf(engine, c.id);
  const cfg = engine.runtime.bundleConfig(c.id, bundle);
  if (!cfg)
    throw new BerthError("STATE", `Cannot start container "${c.name}": its bundle ${bundle} is gone`, {
      hint: `Remove it with \`berth rm ${c.name}\` and run it again`,
    });
  const ann = fromConfig(cfg);
  // whatever an earlier, interrupted start left behind goes first (a sweep: anything gone counts as done)
  teardownContainerNetwork(engine, c);
  await engine.runtime.delete(c.id, { force: true }).catch(() => undefined);
  engine.store.write(() => reservePorts(engine, c, ann.ports));
  try {
    setupContainerNetwork(engine, c);
    publishPorts(engine, c);
    writeEtcFiles(engine, c);
    await syncDns(engine);
    rmSync(join(containerRunDir(engine.paths, c.id), STOPPED_BY_USER), { force: true });
    const { pid } = await engine.runtime.startBundle({ id: c.id, name: c.name, tty: cfg.process.terminal }, bundle, {
      exitCommand: selfCommand(["container", "cleanup", c.id]),
    });
    engine.store.write(() =>
      engine.store.containers.setStatus(c.id, "running", { pid, ownerPid: null, exitCode: null, started: new Date().toISOString(), detached: true }),
    );
  } catch (e) {
    const err = wrap(`Cannot start container "${c.name}"`, e);
    err.rollbackErrors.push(...teardownContainerNetwork(engine, c));
    await syncDns(engine);
    throw err;
  }
  return engine.store.containers.byId(c.id) ?? c;
}
