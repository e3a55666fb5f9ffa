// The Berth service's process (docs/api.md): started on demand by the
// first client (launcher.ts), or by systemd through berth.socket
// (contrib/systemd/). Serves the run dir that BERTH_ROOT / BERTH_RUN_DIR
// name until it is told to stop, its socket file goes away, or SIGTERM.
import { mkdirSync, writeFileSync, renameSync, rmSync } from "node:fs";
import { berthPaths, type BerthPaths } from "../paths.js";
import { checkPrivateDirs } from "../private-paths.js";
import { messageOf } from "../errors.js";
import { BerthService } from "./server.js";
import { servicePaths } from "./paths.js";
import { lockFile } from "./lock-file.js";
import { fileIdentity, removeIfOurs } from "./file-identity.js";
import { buildId } from "./build-id.js";
import { servicePid } from "./service-pid.js";
import { rehearseAttach, repairInterrupted, withEngine } from "../engine/index.js";
import { captureRequestOutput, inRequest } from "./request-context.js";
import { activationFds, type ActivationFds } from "./activation.js";
import { DockerPluginHost, setResidentDockerPluginHost } from "./docker-plugin-host.js";
import { readDockerPluginConfig } from "../interop/docker/plugin-config.js";

function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} berth-service[${process.pid}]: ${msg}\n`);
}

/** The descriptors systemd passed, if this process was socket-activated (then forgotten: children must not take them). */
function takeActivationFds(): ActivationFds {
  const fds = activationFds(process.env, process.pid);
  delete process.env["LISTEN_PID"];
  delete process.env["LISTEN_FDS"];
  delete process.env["LISTEN_FDNAMES"];
  return fds;
}

/** Serve Docker's plugin socket when systemd passed it or `berth docker-plugin enable` asked for it; a failure is logged, the service serves on. */
async function openDockerPlugin(host: DockerPluginHost, paths: BerthPaths, fd: number | undefined): Promise<void> {
  try {
    const config = readDockerPluginConfig(paths);
    if (fd !== undefined) await host.open({ fd }, { logRequests: config?.logRequests ?? false });
    else if (config !== undefined) await host.open({ socket: config.socket }, config);
  } catch (e) {
    log(`docker-plugin: cannot serve Docker's plugin socket: ${messageOf(e)}`);
  }
}

export async function serviceMain(): Promise<number> {
  if (process.getuid?.() !== 0) {
    log("the Berth service runs as root only");
    return 1;
  }
  // not the directory of the client that started it, which may be removed while the service lives
  process.chdir("/");
  const paths = berthPaths(process.env);
  mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  checkPrivateDirs(paths, process.env);
  const sp = servicePaths(paths.runDir);
  // one service per run dir: a second one started at the same moment leaves quietly
  const lock = await lockFile(sp.lock, 3000);
  if (lock === undefined) {
    log("another Berth service holds the lock: leaving it to serve");
    return 0;
  }
  captureRequestOutput();
  const service = new BerthService(paths.runDir);
  const activated = takeActivationFds();
  const fd = activated.api;
  // repair interrupted work (a service killed mid-change) before the first request
  try {
    await inRequest({ engine: () => service.engines.forEnv(process.env), repair: false, stdout: [], stderr: [] }, () =>
      withEngine(
        async (e) => {
          for (const { container: c, problems } of await repairInterrupted(e)) {
            log(`rolled back interrupted container ${c.name}${problems.length ? `: ${problems.join("; ")}` : ""}`);
            // what the rollback could not undo is said to the next caller, as a berth command of its own said it
            for (const p of problems)
              service.warnNextCaller(`Warning: rolling back interrupted container ${c.name} (${c.id.slice(0, 12)}): ${p}; run \`berth system reconcile\`\n`);
          }
        },
        { repair: false },
      ),
    );
  } catch (e) {
    log(`repair at start failed: ${messageOf(e)}`);
  }
  // before the API socket: a client that started the service finds the plugin served once it answers
  // the service's own paths (a snapshot: a change swaps the caller's environment in while it runs)
  const plugin = new DockerPluginHost(service, { ...process.env }, log);
  setResidentDockerPluginHost(plugin);
  await openDockerPlugin(plugin, paths, activated.dockerPlugin);
  await service.listen(fd === undefined ? { path: sp.socket } : { fd });
  const socketId = fd === undefined ? fileIdentity(sp.socket) : undefined;
  const tmp = `${sp.pidFile}.tmp`;
  writeFileSync(tmp, `${process.pid} ${buildId()}\n`, { mode: 0o644 });
  renameSync(tmp, sp.pidFile);
  log(`serving ${sp.socket}${fd === undefined ? "" : " (socket-activated)"}, build ${buildId() || "(none)"}`);
  // in turn with the changes: the first real attach then runs warm (engine/dry-run/warm-up.ts)
  void service.queue.run(
    () =>
      inRequest({ engine: () => service.engines.forEnv(process.env), repair: false, stdout: [], stderr: [] }, () =>
        withEngine((e) => rehearseAttach(e), { repair: false }),
      ),
    "the service's start-up rehearsal of an attach",
  );

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    clearInterval(watch);
    await service.stop();
    if (fd === undefined) {
      // only our own socket and pid file: a successor may have made new ones
      removeIfOurs(sp.socket, socketId);
    }
    // a successor may have written its own pid file already
    if (servicePid(sp) === process.pid) rmSync(sp.pidFile, { force: true });
    log("stopped");
    lock.close();
    process.exit(0);
  };
  // a run dir removed (a test's BERTH_ROOT at its end, a reboot's /run) or our socket replaced: nothing left to serve
  const watch = setInterval(() => {
    if (socketId === undefined) return;
    let id: string | undefined;
    try {
      id = fileIdentity(sp.socket);
    } catch {
      id = undefined;
    }
    if (id !== socketId) void stop("the socket file is gone");
  }, 500);
  watch.unref();
  service.onStopRequested = () => void stop("asked by a client (a newer build, or `berth system service stop`)");
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  return await new Promise<number>(() => {});
}
