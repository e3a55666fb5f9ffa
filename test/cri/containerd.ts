// A private containerd 1.6 with its CRI plugin, for the CRI test and bench:
// its own root, state, socket and config file under a temp dir, run in a
// mount namespace of its own whose /run and /var/lib are tmpfs (containerd
// keeps shim sockets in /run/containerd and the pods' network namespaces in
// /run/netns; its CNI library caches results in /var/lib/cni), so nothing
// it writes there reaches the machine.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CriClient } from "./client.js";
import { BUSYBOX, buildImageArchive } from "./image.js";

/** The image pod containers run (busybox, with a web server able to say who called). */
export const POD_IMAGE = "localhost/berth-busybox:latest";
/** The sandbox ("pause") image: busybox whose entrypoint sleeps. */
export const PAUSE_IMAGE = "localhost/berth-pause:latest";

const NEEDS = ["/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/containerd-shim-runc-v2", "/usr/sbin/runc", BUSYBOX];

/** What this machine lacks for a CRI node, or undefined. */
export function containerdMissing(): string | undefined {
  for (const p of NEEDS) if (!existsSync(p)) return `${p} is missing (scripts/install-deps.sh --test installs containerd, runc and busybox-static)`;
  return undefined;
}

export interface CriNodeOptions {
  /** A temp dir the node keeps everything in. */
  readonly dir: string;
  /** The environment containerd runs with and passes to CNI plugins (BERTH_ROOT...). */
  readonly env: NodeJS.ProcessEnv;
  /** The CRI plugin's CNI `conf_dir` and `bin_dir`. */
  readonly cniConfDir: string;
  readonly cniBinDir: string;
}

export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function configToml(o: CriNodeOptions, socket: string): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    "version = 2",
    `root = "${join(o.dir, "root")}"`,
    `state = "${join(o.dir, "state")}"`,
    "[grpc]",
    `  address = "${socket}"`,
    "[ttrpc]",
    `  address = "${socket}.ttrpc"`,
    cri,
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // no CAP_SYS_RESOURCE here: never lower a process's oom_score_adj
    "  restrict_oom_score_adj = true",
    "  disable_apparmor = true",
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `${cri.slice(0, -1)}.containerd]`,
    '  snapshotter = "native"',
    '  default_runtime_name = "runc"',
    `${cri.slice(0, -1)}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `${cri.slice(0, -1)}.cni]`,
    `  bin_dir = "${o.cniBinDir}"`,
    `  conf_dir = "${o.cniConfDir}"`,
    "  max_conf_num = 1",
    "",
  ].join("\n");
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CriNode {
  readonly socket: string;
  readonly client: CriClient;
  readonly #holder: ChildProcess;
  readonly #daemon: ChildProcess;
  readonly #log: string;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(socket: string, holder: ChildProcess, daemon: ChildProcess, log: string, env: NodeJS.ProcessEnv) {
    this.socket = socket;
    this.#holder = holder;
    this.#daemon = daemon;
    this.#log = log;
    this.#env = env;
    this.client = new CriClient(socket);
  }

  /**
   * Start containerd, wait until its CRI service answers, and import the
   * pod and sandbox images. Throws with containerd's log if it does not come up.
   */
  static async start(o: CriNodeOptions): Promise<CriNode> {
    const socket = join(o.dir, "containerd.sock");
    const config = join(o.dir, "config.toml");
    const log = join(o.dir, "containerd.log");
    writeFileSync(config, configToml(o, socket));
    const holder = spawn(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        "mount -t tmpfs -o mode=755 tmpfs /run && mount -t tmpfs -o mode=755 tmpfs /var/lib && echo ready && exec sleep infinity",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.once("data", () => resolve());
      holder.once("exit", (code) => reject(new Error(`the mount namespace holder exited with ${String(code)}`)));
    });
    const env = { ...o.env, PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    const daemon = spawn(
      "sh",
      ["-c", 'exec nsenter --mount=/proc/"$1"/ns/mnt -- containerd --config "$2" --log-level info >"$3" 2>&1', "containerd", String(holder.pid), config, log],
      { env, stdio: "ignore" },
    );
    const node = new CriNode(socket, holder, daemon, log, env);
    try {
      let ready = false;
      for (let i = 0; i < 200 && !ready && daemon.exitCode === null; i++) {
        if (existsSync(socket))
          ready = await node.client.version().then(
            () => true,
            () => false,
          );
        if (!ready) await delay(100);
      }
      if (!ready) throw new Error(`containerd did not start: ${node.log().slice(-3000)}`);
      node.importImage(POD_IMAGE, ["/bin/sleep", "2147483647"], o.dir);
      node.importImage(PAUSE_IMAGE, ["/bin/sleep", "2147483647"], o.dir);
      return node;
    } catch (e) {
      await node.stop();
      throw e;
    }
  }

  /** containerd's log so far (for failure messages). */
  log(): string {
    return existsSync(this.#log) ? readFileSync(this.#log, "utf8") : "";
  }

  /** Run a program in containerd's mount namespace (where the pods' /run/netns is). */
  exec(argv: readonly string[]): CmdResult {
    const r = spawnSync("nsenter", [`--mount=/proc/${this.#holder.pid ?? 0}/ns/mnt`, "--", ...argv], { env: this.#env, encoding: "utf8", timeout: 120_000 });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  ctr(...args: string[]): CmdResult {
    return this.exec(["ctr", "--address", this.socket, "--namespace", "k8s.io", ...args]);
  }

  importImage(ref: string, entrypoint: readonly string[], dir: string): void {
    const archive = buildImageArchive(dir, ref, entrypoint);
    const r = this.ctr("images", "import", "--snapshotter", "native", archive);
    if (r.code !== 0) throw new Error(`ctr images import ${ref}: ${r.stderr}${r.stdout}`);
  }

  /** The network namespaces containerd's CRI plugin holds (files in its /run/netns). */
  netnsFiles(): string[] {
    const r = this.exec(["ls", "-A", "/run/netns"]);
    return r.code === 0 ? r.stdout.split("\n").filter(Boolean) : [];
  }

  /**
   * Stop containerd, then the runc shims it started (found by its socket in
   * their command line), then the mount namespace holder.
   */
  async stop(): Promise<void> {
    this.client.close();
    if (this.#daemon.exitCode === null && this.#daemon.signalCode === null) {
      this.#daemon.kill("SIGTERM");
      const exited = new Promise<void>((r) => this.#daemon.once("exit", () => r()));
      await Promise.race([exited, delay(10_000)]);
      if (this.#daemon.exitCode === null && this.#daemon.signalCode === null) this.#daemon.kill("SIGKILL");
    }
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (cmdline.startsWith("/usr/bin/containerd-shim") && cmdline.includes(this.socket)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.#holder.kill("SIGKILL");
  }
}
