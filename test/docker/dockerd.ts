// A private dockerd (Debian's docker.io) with Berth's plugin, for the Docker
// test and bench: its own data-root, exec-root, pidfile, API socket and
// containerd (the one dockerd starts itself, under its exec-root), run in a
// mount namespace of its own whose /run and /etc/docker are tmpfs, so the
// plugin directory dockerd searches (/run/docker/plugins) and everything it
// binds there (network namespaces, containerd's shims) never reach the
// machine. The plugin is the Berth service's (`berth docker-plugin enable`,
// the service started by that command in this mount namespace), or the
// foreground `berth docker-plugin`; either runs in the same mount
// namespace, and so must every berth command that opens a container's
// namespace by its path (`berth()` here).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUSYBOX, buildImageArchive } from "../cri/image.js";
import { berthPaths } from "../../src/paths.js";
import { stopService } from "../helpers.js";

export const DOCKERD = "/usr/sbin/dockerd";
export const DOCKER = "/usr/bin/docker";
/** The image the containers run: busybox, with chroot to run the host's node from a read-only bind of / (the echo servers). */
export const IMAGE = "localhost/berth-docker:latest";
const BERTH = join(fileURLToPath(import.meta.url), "..", "..", "..", "..", "bin", "berth");
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What this machine lacks for the Docker test, or undefined. */
export function dockerMissing(): string | undefined {
  for (const p of [DOCKERD, DOCKER, "/usr/bin/containerd", "/usr/sbin/runc", "/usr/sbin/iptables", BUSYBOX])
    if (!existsSync(p)) return `${p} is missing (scripts/install-deps.sh --test installs docker.io)`;
  return undefined;
}

export interface DockerNodeOptions {
  /** A temp dir the node keeps everything in. */
  readonly dir: string;
  /** The environment of the plugin and of berth commands (BERTH_ROOT...). */
  readonly env: NodeJS.ProcessEnv;
  /** dockerd's --iptables (default true, as Debian's dockerd runs). */
  readonly iptables?: boolean;
  /** dockerd's --live-restore (default false). */
  readonly liveRestore?: boolean;
  /** Who serves the plugin: the Berth service (default, `berth docker-plugin enable`) or a foreground `berth docker-plugin`. */
  readonly plugin?: "service" | "foreground";
}

export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DockerNode {
  readonly socket: string;
  readonly #o: DockerNodeOptions;
  readonly #holder: ChildProcess;
  /** The nft tables of the test's network namespace before dockerd ran: what stop() leaves. */
  readonly #tablesBefore = nftTables();
  #daemon: ChildProcess | undefined;
  #plugin: ChildProcess | undefined;
  #liveRestore: boolean;

  private constructor(o: DockerNodeOptions, holder: ChildProcess) {
    this.#o = o;
    this.#liveRestore = o.liveRestore ?? false;
    this.#holder = holder;
    this.socket = join(o.dir, "docker.sock");
  }

  /** The mount namespace everything of this node runs in. */
  get mountNs(): string {
    return `/proc/${String(this.#holder.pid)}/ns/mnt`;
  }

  /** The log the plugin's errors and requests go to: the service's, or the foreground plugin's output. */
  get pluginLog(): string {
    return this.#inService ? join(berthPaths(this.#o.env).runDir, "service.log") : join(this.#o.dir, "plugin.log");
  }

  get #inService(): boolean {
    return (this.#o.plugin ?? "service") === "service";
  }

  get daemonLog(): string {
    return join(this.#o.dir, "dockerd.log");
  }

  /** Start the plugin, then dockerd; load the image. Throws with the logs if either does not come up. */
  static async start(o: DockerNodeOptions): Promise<DockerNode> {
    const holder = spawn(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        "mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/docker/plugins && " +
          "{ [ ! -d /etc/docker ] || mount -t tmpfs -o mode=755 tmpfs /etc/docker; } && echo ready && exec sleep infinity",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.once("data", () => resolve());
      holder.once("exit", (code) => reject(new Error(`the mount namespace holder exited with ${String(code)}`)));
    });
    const node = new DockerNode(o, holder);
    try {
      writeFileSync(join(o.dir, "daemon.json"), "{}\n");
      await node.startPlugin();
      await node.startDaemon();
      const archive = buildImageArchive(o.dir, IMAGE, ["sleep", "3600"], ["chroot", "nc", "hostname", "cat", "route"]);
      node.ok("load", "-i", archive);
    } catch (e) {
      await node.stop();
      throw e;
    }
    return node;
  }

  /**
   * The plugin in this node's mount namespace; resolves once it listens.
   * The service's: `berth docker-plugin enable` (which starts the service
   * here when none runs: its first berth command must be this one).
   */
  async startPlugin(): Promise<void> {
    if (this.#inService) {
      const r = this.berth("docker-plugin", "enable", "--log-requests");
      if (r.code !== 0) throw new Error(`berth docker-plugin enable failed: ${r.stderr}${r.stdout}\n${this.#tail(this.pluginLog)}`);
      return;
    }
    const p = spawn(
      "sh",
      [
        "-c",
        'exec nsenter --mount="$1" -- "$2" "$3" docker-plugin --log-requests >>"$4" 2>&1',
        "plugin",
        this.mountNs,
        process.execPath,
        BERTH,
        this.pluginLog,
      ],
      { stdio: "ignore", env: { ...this.#o.env, PATH } },
    );
    this.#plugin = p;
    for (let i = 0; i < 300; i++) {
      if (existsSync(this.pluginLog) && readFileSync(this.pluginLog, "utf8").includes("listening on")) return;
      if (p.exitCode !== null) break;
      await delay(50);
    }
    throw new Error(`berth docker-plugin did not come up:\n${this.#tail(this.pluginLog)}`);
  }

  /** Stop the plugin (SIGTERM: the service, or the foreground plugin) and wait for it to exit; the next start appends to the same log. */
  async stopPlugin(): Promise<void> {
    if (this.#inService) {
      stopService(this.#o.env["BERTH_ROOT"] ?? "");
      return;
    }
    const p = this.#plugin;
    this.#plugin = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await exited;
    // "listening on" of the next start must be a new line
    writeFileSync(this.pluginLog, readFileSync(this.pluginLog, "utf8").replaceAll("listening on", "listened on"));
  }

  /** Start dockerd; `o.liveRestore` overrides the node's option from this start on. */
  async startDaemon(o: { readonly liveRestore?: boolean } = {}): Promise<void> {
    if (o.liveRestore !== undefined) this.#liveRestore = o.liveRestore;
    const d = this.#o.dir;
    const args = [
      "--data-root",
      join(d, "data"),
      "--exec-root",
      join(d, "exec"),
      "--pidfile",
      join(d, "docker.pid"),
      "-H",
      `unix://${this.socket}`,
      "--config-file",
      join(d, "daemon.json"),
      "--storage-driver",
      "vfs",
      `--iptables=${String(this.#o.iptables ?? true)}`,
      ...(this.#liveRestore ? ["--live-restore"] : []),
    ];
    const daemon = spawn(
      "sh",
      ["-c", 'm="$1"; log="$2"; shift 2; exec nsenter --mount="$m" -- "$@" >>"$log" 2>&1', "dockerd", this.mountNs, this.daemonLog, DOCKERD, ...args],
      {
        stdio: "ignore",
        env: { ...process.env, PATH },
      },
    );
    this.#daemon = daemon;
    for (let i = 0; i < 600; i++) {
      if (daemon.exitCode !== null) break;
      if (existsSync(this.socket) && this.docker("version", "--format", "{{.Server.Version}}").code === 0) return;
      await delay(100);
    }
    throw new Error(`dockerd did not come up:\n${this.#tail(this.daemonLog)}`);
  }

  /** Whether the dockerd this node started runs. */
  get daemonRunning(): boolean {
    return this.#daemon !== undefined && this.#daemon.exitCode === null;
  }

  /** SIGTERM dockerd and wait for it (with --live-restore its containers keep running). */
  async stopDaemon(): Promise<void> {
    const d = this.#daemon;
    this.#daemon = undefined;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((r) => d.once("exit", r));
    d.kill("SIGTERM");
    await exited;
  }

  /** Run `docker ARGS...` against this node. */
  docker(...args: string[]): CmdResult {
    const r = spawnSync(DOCKER, ["-H", `unix://${this.socket}`, ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, PATH } });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** `docker ARGS...`, failing with its stderr unless it succeeds; its stdout trimmed. */
  ok(...args: string[]): string {
    const r = this.docker(...args);
    if (r.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}\n--- plugin log:\n${this.#tail(this.pluginLog)}`);
    return r.stdout.trim();
  }

  /** Run `berth ARGS...` in this node's mount namespace (where the containers' namespace files are bound). */
  berth(...args: string[]): CmdResult {
    const r = spawnSync("nsenter", [`--mount=${this.mountNs}`, "--", process.execPath, BERTH, ...args], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...this.#o.env, PATH },
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** The container's network namespace as the test's own mount namespace sees it (/proc/PID/ns/net). */
  netnsOf(container: string): string {
    return `/proc/${this.ok("inspect", "--format", "{{.State.Pid}}", container)}/ns/net`;
  }

  /** Remove every container and every network but Docker's own, stop dockerd and the plugin, leave the mount namespace. */
  async stop(): Promise<void> {
    if (this.#daemon && this.#daemon.exitCode === null) {
      const ids = this.docker("ps", "-aq").stdout.split("\n").filter(Boolean);
      if (ids.length > 0) this.docker("rm", "-f", ...ids);
      const nets = this.docker("network", "ls", "--filter", "driver=berth", "-q").stdout.split("\n").filter(Boolean);
      if (nets.length > 0) this.docker("network", "rm", ...nets);
    }
    await this.stopDaemon();
    await this.stopPlugin();
    // the containerd dockerd started is its child; it exits with it
    if (this.#holder.exitCode === null) {
      const exited = new Promise((r) => this.#holder.once("exit", r));
      this.#holder.kill("SIGKILL");
      await exited;
    }
    // dockerd leaves its default bridge and its iptables-nft tables (a FORWARD
    // policy of drop among them) in the test's namespace: later test files
    // must not meet them
    spawnSync("ip", ["link", "del", "docker0"], { stdio: "ignore" });
    for (const table of nftTables()) {
      if (!this.#tablesBefore.includes(table) && !table.endsWith(" berth")) spawnSync("nft", ["delete", "table", ...table.split(" ")], { stdio: "ignore" });
    }
  }

  #tail(file: string): string {
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-40).join("\n") : `(no ${file})`;
  }
}

/** "FAMILY NAME" of each nft table in this network namespace. */
function nftTables(): string[] {
  const out = spawnSync("nft", ["list", "tables"], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .filter((l) => l.startsWith("table "))
    .map((l) => l.slice("table ".length).trim());
}
