import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import type { Engine } from "../context.js";
import { forgetContainer } from "../container/forget-container.js";
import type { Container, NetworkRequest } from "../../model/container.js";
import { creatingContainer, shortId } from "../../model/container.js";
import { containerRunDir } from "../../paths.js";
import { BerthError, TeardownError, isBerthError, wrap } from "../../errors.js";
import { UndoStack } from "../undo.js";
import { newId, netnsPath } from "../network/names.js";
import { planRun, type RunOptions, type RunPlan } from "../container/run-options.js";
import { networkForUse, requireContainer } from "../network/network-lookup.js";
import { setupContainerNetwork, teardownContainerNetwork } from "../container/container-network.js";
import { writeEtcFiles } from "../sync/etc-files.js";
import { generateName } from "../container/container-names.js";
import { selfCommand } from "../self-command.js";
import { syncDns } from "../sync/dns-sync.js";
import { finishContainer } from "./container-cleanup.js";
import { faultPoint } from "../fault.js";
import { publishPorts, reservePorts } from "../ports/ports.js";
import type { ContainerProcessSpec } from "../../runtime/index.js";
import { planProcess, restartText, type ProcessPlan } from "../container/run-process-options.js";
import { etcFilePaths } from "../sync/etc-files.js";
import { bundleDirOf } from "./container-start.js";
import { toAnnotations } from "../container/container-annotations.js";
import { requireCgroupMounts } from "../../runtime/cgroup-mounts.js";

export interface RunResult {
  readonly container: Container;
  /** Exit code of the command, for a foreground run. */
  readonly exitCode: number | undefined;
  readonly stdout?: string;
  readonly stderr?: string;
}

/**
 * `berth run`: validate, record the container (status "creating", owned by
 * this process, so a crash is repaired by the next berth command), build its
 * network, write its /etc files, then start it under the OCI runtime.
 */
export async function runContainer(engine: Engine, opts: RunOptions, io: { capture?: boolean } = {}): Promise<RunResult> {
  const plan = planRun(opts);
  const proc = planProcess(opts.process ?? {}, { rootfs: plan.rootfs, ownNetns: plan.mode.kind === "bridge" || plan.mode.kind === "none" });
  if (proc.restart.kind !== "no" && opts.autoRemove) {
    throw new BerthError("INVALID_ARGUMENT", `--restart ${restartText(proc.restart)} cannot be combined with --rm`, {
      hint: "A container removed when it exits cannot be restarted: drop one of them",
    });
  }
  requireCgroupMounts(`Cannot run ${opts.name === undefined ? "a container" : `container "${opts.name}"`}`);
  const c = createContainerRecord(engine, plan, opts);
  if (opts.createOnly) return createOnly(engine, c, opts, proc);
  // the record is the first step: from here on, each step registers its undo
  const undo = new UndoStack();
  undo.push(`forget container ${c.name}`, async () => {
    forgetContainer(engine, c.id);
    await syncDns(engine);
  });
  try {
    undo.push(`tear down the network of ${c.name}`, () => {
      const errors = teardownContainerNetwork(engine, c);
      if (errors.length > 0) throw new TeardownError(`Cannot tear down the network of container "${c.name}"`, errors);
    });
    setupContainerNetwork(engine, c);
    publishPorts(engine, c);
    const etc = writeEtcFiles(engine, c);
    // the zone is written now; the resolver's acknowledgement is waited for beside the runtime's start (below)
    const dns = syncDns(engine);
    // awaited below in every path; until then a failure must not count as unhandled
    dns.catch(() => undefined);
    faultPoint("run:before-start");
    const spec = processSpec(c, etc, opts, proc, annotationsOf(engine, c, proc), berthDirsOf(engine));
    const bundle = join(containerRunDir(engine.paths, c.id), "bundle");
    mkdirSync(bundle, { recursive: true });
    undo.push(`delete container ${c.name} from the runtime`, async () => {
      try {
        await engine.runtime.delete(c.id, { force: true });
      } catch (d) {
        // a runtime that cannot be found was the error itself, not a failed undo
        if (!isBerthError(d) || d.code !== "MISSING_DEPENDENCY") throw d;
      }
    });
    if (c.detached) {
      // "a name resolves as soon as run returns": both must be done, and either's error is the run's
      const [started, served] = await Promise.allSettled([
        engine.runtime.startDetached(spec, bundle, { exitCommand: selfCommand(["container", "cleanup", c.id]) }),
        dns,
      ]);
      if (started.status === "rejected") throw started.reason;
      if (served.status === "rejected") throw served.reason;
      const { pid } = started.value;
      engine.store.write(() => engine.store.containers.setStatus(c.id, "running", { pid, ownerPid: null, started: new Date().toISOString() }));
      return { container: engine.store.containers.byId(c.id) ?? c, exitCode: undefined };
    }
    await dns;
    engine.store.write(() => engine.store.containers.setStatus(c.id, "running", { pid: null, ownerPid: process.pid, started: new Date().toISOString() }));
    const r = await engine.runtime.runForeground(spec, bundle, io.capture ? { capture: true } : { interactive: opts.interactive ?? false });
    await finishContainer(engine, c.id, r.exitCode);
    return {
      container: engine.store.containers.byId(c.id) ?? { ...c, status: "exited", exitCode: r.exitCode },
      exitCode: r.exitCode,
      ...(r.stdout === undefined ? {} : { stdout: r.stdout }),
      ...(r.stderr === undefined ? {} : { stderr: r.stderr }),
    };
  } catch (e) {
    // a container that ran and exited is finished, not rolled back (finishContainer applied --rm and --restart)
    const current = engine.store.containers.byId(c.id);
    if (current && current.status === "exited") throw wrap(`Cannot run container "${c.name}"`, e);
    throw await undo.unwind(e, `Cannot run container "${c.name}"`);
  }
}

/** Record the container (status creating) and reserve its ports, in one transaction; conflicts throw before anything changes. */
export function createContainerRecord(engine: Engine, plan: RunPlan, opts: RunOptions): Container {
  return engine.store.write(() => {
    const name = plan.name ?? generateName((n) => engine.store.containers.find(n) !== undefined);
    const holder = engine.store.containers.find(name);
    if (holder && holder.name === name) {
      throw new BerthError("NAME_IN_USE", `Cannot create container "${name}": the name is in use by container ${shortId(holder.id)}`, {
        hint: `Choose another --name, or remove it with \`berth rm -f ${name}\``,
      });
    }
    const id = newId();
    let mode: Container["mode"] = "bridge";
    let modeTarget: string | undefined;
    let netns: string | undefined = netnsPath(engine.paths, id);
    let networks: NetworkRequest[] = [];
    switch (plan.mode.kind) {
      case "host":
        mode = "host";
        netns = undefined;
        break;
      case "none":
        mode = "none";
        break;
      case "container": {
        const target = requireContainer(engine, plan.mode.target);
        if (target.status !== "running" || !target.netns) {
          throw new BerthError(
            "CONTAINER_NOT_RUNNING",
            `Cannot join the network namespace of container "${target.name}": it is not running${target.mode === "host" ? " with its own namespace" : ""}`,
            {
              hint: `Start a container with \`berth run -d --name ${target.name} ...\` first`,
            },
          );
        }
        mode = "container";
        modeTarget = target.id;
        netns = target.netns;
        break;
      }
      case "ns":
        if (!existsSync(plan.mode.path)) {
          throw new BerthError("NETNS_NOT_FOUND", `Cannot join network namespace ${plan.mode.path}: no such file`, {
            hint: "Give the path of a namespace file, e.g. --network ns:/run/netns/NAME (ip netns add NAME makes one)",
          });
        }
        mode = "container";
        netns = plan.mode.path;
        break;
      case "bridge":
        networks = plan.mode.networks.map((r) => ({ ...r, network: networkForUse(engine, r.network).name }));
        break;
    }
    const c = creatingContainer({
      id,
      name,
      command: plan.command,
      hostname: plan.hostname ?? (mode === "host" ? hostHostname() : shortId(id)),
      mode,
      modeTarget,
      netns,
      rootfs: plan.rootfs,
      autoRemove: opts.autoRemove ?? false,
      detached: opts.detach ?? false,
      dns: plan.dns,
      extraHosts: plan.extraHosts,
      networks,
      managedBy: undefined,
    });
    engine.store.containers.insert(c);
    // conflicts are errors before anything changes: the whole transaction rolls back
    reservePorts(engine, c, plan.ports);
    return c;
  });
}

/** `berth create`: the record and the bundle, nothing in the kernel; its ports are kept in the bundle and reserved again at start. */
function createOnly(engine: Engine, c: Container, opts: RunOptions, proc: ProcessPlan): RunResult {
  try {
    const bundle = bundleDirOf(engine, c.id);
    mkdirSync(bundle, { recursive: true });
    engine.runtime.writeBundle(processSpec(c, etcFilePaths(engine, c.id), opts, proc, annotationsOf(engine, c, proc), berthDirsOf(engine)), bundle);
    engine.store.write(() => {
      engine.store.ports.deleteForContainer(c.id);
      engine.store.containers.setStatus(c.id, "exited", { ownerPid: null });
    });
  } catch (e) {
    forgetContainer(engine, c.id);
    throw wrap(`Cannot create container "${c.name}"`, e);
  }
  return { container: engine.store.containers.byId(c.id) ?? c, exitCode: undefined };
}

/** What a later `start` needs: the ports as reserved now, the labels, the restart policy. */
function annotationsOf(engine: Engine, c: Container, proc: ProcessPlan): Record<string, string> {
  const ports = engine.store.ports.forContainer(c.id).map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort }));
  return toAnnotations({ ports, labels: proc.labels, restart: proc.restart });
}

/** Berth's own directories, hidden from a container that sees the host's root filesystem. */
function berthDirsOf(engine: Engine): string[] {
  return [engine.paths.stateDir, engine.paths.runDir, engine.paths.netnsDir];
}

function processSpec(
  c: Container,
  etc: { hosts: string; resolvConf: string; hostname: string },
  opts: RunOptions,
  proc: ProcessPlan,
  annotations: Record<string, string>,
  berthDirs: readonly string[],
): ContainerProcessSpec {
  return {
    ...(proc.cwd === undefined ? {} : { cwd: proc.cwd }),
    ...(proc.user === undefined ? {} : { user: proc.user }),
    ...(proc.init === undefined ? {} : { init: proc.init }),
    volumes: proc.volumes,
    capAdd: proc.capAdd,
    capDrop: proc.capDrop,
    privileged: proc.privileged,
    sysctls: proc.sysctls,
    annotations,
    id: c.id,
    name: c.name,
    hostname: c.hostname,
    args: [...c.command],
    ...(opts.env && opts.env.length > 0 ? { env: [...opts.env] } : {}),
    tty: opts.tty ?? false,
    ...(c.rootfs === undefined ? { hiddenHostPaths: berthDirs, ...(opts.hostHome ? { hostHome: true } : {}) } : { rootfs: c.rootfs }),
    network: c.netns === undefined ? { kind: "host" } : { kind: "netns", path: c.netns },
    etc,
  };
}

function hostHostname(): string {
  return hostname();
}
