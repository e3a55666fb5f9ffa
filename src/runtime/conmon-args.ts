/**
 * What conmon 2.1.6 needs to create one container and then monitor it.
 *
 * Found by reading conmon's source (src/conmon.c, cli.c, runtime_args.c,
 * ctr_exit.c, conn_sock.c, parent_pipe_fd.c) and checked on this host:
 * - Without `--sync`, conmon forks once at start: the process we spawn writes
 *   the `-P` pid file and exits 0 at once; the child calls setsid(), dups
 *   /dev/null over its stdio and becomes a subreaper. So the caller is never
 *   tied to it: nothing to wait for but the sync pipe below.
 * - The child runs `<runtime> <--runtime-arg...> create --bundle B --pid-file P ID`
 *   (plus `--console-socket` with `-t`). It does not start the container.
 * - `_OCI_SYNCPIPE=<fd>` (made CLOEXEC, so runc never sees it): once
 *   `runtime create` succeeded, conmon writes `{"data": <container pid>}\n`
 *   (`--api-version 1` picks the "data" key); if create failed and the runtime
 *   printed something, `{"data": -1, "message": "<runtime stderr>"}\n`. If it
 *   failed silently conmon just exits, and the pipe reaches EOF.
 *   (`_OCI_STARTPIPE` would make conmon wait for a byte before forking: Podman
 *   uses it to move conmon into a cgroup first. Berth doesn't need that.)
 * - When the container exits: the exit code (signal deaths as 128+N) goes to
 *   `<--exit-dir>/<-c ID>`, the log is synced, then the `--exit-command` is
 *   run with execv (so its path must be absolute: no PATH search) and the
 *   `--exit-command-arg`s, with fds >= 3 closed; conmon waits for it and
 *   exits. A create failure also runs the exit command (it is an atexit hook).
 * - `--full-attach` puts the attach socket and the ctl/winsz fifos in the
 *   bundle directory (bound through /proc/self/fd, so long paths work);
 *   without it conmon symlinks `<--socket-dir-path>/<-u UUID>`, default
 *   /var/run/crio, which Berth must not touch.
 * - `-l k8s-file:PATH` keeps stdout/stderr as "<time> <stream> <F|P> text" lines.
 * - `-t` is required for a terminal: runc refuses a detached terminal
 *   without the console socket that conmon then provides.
 */
export interface ConmonOptions {
  readonly id: string;
  readonly name: string;
  /** Absolute path of runc or crun. */
  readonly runtime: string;
  /** The runtime's state directory (`--root`). */
  readonly runtimeRoot: string;
  readonly bundleDir: string;
  /** File the runtime writes the container's pid to. */
  readonly pidFile: string;
  /** File conmon writes its own (monitor) pid to. */
  readonly conmonPidFile: string;
  readonly exitDir: string;
  readonly logPath: string;
  readonly tty?: boolean;
  /** Program (absolute path) and arguments run when the container has exited. */
  readonly exitCommand?: readonly string[];
}

/** The argv (without "conmon") for creating and monitoring one container. */
export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    "--api-version",
    "1",
    "-c",
    o.id,
    "-u",
    o.id,
    "-n",
    o.name,
    "-r",
    o.runtime,
    "--runtime-arg",
    `--root=${o.runtimeRoot}`,
    "-b",
    o.bundleDir,
    "-p",
    o.pidFile,
    "-P",
    o.conmonPidFile,
    "--exit-dir",
    o.exitDir,
    "-l",
    `k8s-file:${o.logPath}`,
    "--log-level",
    "error",
    "--full-attach",
    "--socket-dir-path",
    o.bundleDir,
  ];
  if (o.tty) args.push("-t");
  const [cmd, ...cmdArgs] = o.exitCommand ?? [];
  if (cmd !== undefined) {
    args.push("--exit-command", cmd);
    for (const a of cmdArgs) args.push("--exit-command-arg", a);
  }
  return args;
}

/** One message conmon wrote to the sync pipe. */
export interface SyncMessage {
  readonly data: number;
  readonly message?: string;
}

/**
 * Parse the first line conmon wrote to the sync pipe. conmon prints it with
 * printf and its own escaping (older versions leave some control characters
 * raw), so fall back to a lenient match when JSON.parse refuses it.
 */
export function parseSyncMessage(line: string): SyncMessage | undefined {
  try {
    const v = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof v.data === "number") return typeof v.message === "string" ? { data: v.data, message: v.message } : { data: v.data };
  } catch {
    // lenient path below
  }
  const m = /"data"\s*:\s*(-?\d+)(?:\s*,\s*"message"\s*:\s*"([\s\S]*)"\s*\})?/.exec(line);
  if (!m) return undefined;
  return m[2] === undefined ? { data: Number(m[1]) } : { data: Number(m[1]), message: m[2] };
}
