// Real Podman with Berth as its network backend, for integration tests and
// the bench: a temp containers.conf (helper_binaries_dir = bin/podman, so
// Podman runs Berth's netavark), temp storage (vfs), and a mount namespace
// of its own with a tmpfs on /run, so nothing Podman, runc or conmon writes
// under /run (netns files, runtime state) reaches the machine.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BUSYBOX = "/usr/bin/busybox";
export const IMAGE = "localhost/berth-busybox:latest";
const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const BACKEND_DIR = join(REPO, "bin", "podman");

export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Whether this machine has what the Podman test needs. */
export function podmanMissing(): string | undefined {
  for (const p of ["/usr/bin/podman", BUSYBOX, "/usr/sbin/runc", "/usr/bin/conmon"])
    if (!existsSync(p)) return `${p} is missing (scripts/install-deps.sh --test installs it)`;
  return undefined;
}

export class PodmanSandbox {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly #holder: ChildProcess;

  /** `berthEnv`: the BERTH_* settings the backend (and so Berth) runs with. */
  private constructor(dir: string, env: NodeJS.ProcessEnv, holder: ChildProcess) {
    this.dir = dir;
    this.env = env;
    this.#holder = holder;
  }

  /**
   * `berthEnv`'s BERTH_* paths reach the backend through a berth.conf beside
   * it (a temp backend dir: a symlink to bin/podman/netavark and that
   * file), as on a real install: Podman does not pass its environment on to
   * every call. `backendDir` runs another backend (Debian's netavark) instead.
   */
  static async start(berthEnv: NodeJS.ProcessEnv, opts: { backendDir?: string; record?: boolean } = {}): Promise<PodmanSandbox> {
    const dir = mkdtempSync(join(tmpdir(), "berth-podman-"));
    let backendDir = opts.backendDir;
    if (backendDir === undefined) {
      backendDir = join(dir, "backend");
      mkdirSync(backendDir);
      if (opts.record) {
        // `netavark` keeps each call's argv and stdin (see recordedCalls()), then runs Berth's beside it
        mkdirSync(join(dir, "calls"));
        symlinkSync(join(BACKEND_DIR, "netavark"), join(backendDir, "berth-netavark"));
        writeFileSync(
          join(backendDir, "netavark"),
          `#!/bin/sh\nn=${join(dir, "calls")}/$(date +%s%N)\nprintf '%s\\n' "$@" > "$n.argv"\ntee "$n.in" | ${join(backendDir, "berth-netavark")} "$@"\n`,
        );
        chmodSync(join(backendDir, "netavark"), 0o755);
      } else {
        symlinkSync(join(BACKEND_DIR, "netavark"), join(backendDir, "netavark"));
      }
      const conf = ["BERTH_ROOT", "BERTH_STATE_DIR", "BERTH_RUN_DIR", "BERTH_NETNS_DIR"].flatMap((k) =>
        berthEnv[k] === undefined ? [] : [`${k}=${berthEnv[k]}`],
      );
      writeFileSync(join(backendDir, "berth.conf"), `# written by test/podman.ts\n${conf.join("\n")}\n`);
    }
    writeFileSync(
      join(dir, "containers.conf"),
      [
        "[containers]",
        'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
        "[engine]",
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `tmp_dir = "${join(dir, "tmp")}"`,
        `helper_binaries_dir = ["${backendDir}"]`,
        "[network]",
        'network_backend = "netavark"',
        `network_config_dir = "${join(dir, "networks")}"`,
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "storage.conf"),
      ["[storage]", 'driver = "vfs"', `graphroot = "${join(dir, "root")}"`, `runroot = "${join(dir, "runroot")}"`, ""].join("\n"),
    );
    const env: NodeJS.ProcessEnv = { ...berthEnv, CONTAINERS_CONF: join(dir, "containers.conf"), CONTAINERS_STORAGE_CONF: join(dir, "storage.conf") };
    // the mount namespace everything Podman does runs in: /run is a tmpfs that dies with the holder, and so is
    // /var/lib/berth (Berth's default state), so a call that missed its berth.conf cannot touch the machine's
    const guard = "mkdir -p /run/berth-default-state && mount --bind /run/berth-default-state /var/lib";
    const holder = spawn(
      "unshare",
      ["--mount", "--propagation", "private", "--", "sh", "-c", `mount -t tmpfs -o mode=755 tmpfs /run && ${guard} && echo ready && exec sleep 3600`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.once("data", () => resolve());
      holder.once("exit", (code) => reject(new Error(`the mount namespace holder exited with ${String(code)}`)));
    });
    return new PodmanSandbox(dir, env, holder);
  }

  /** With `record`: the backend program Podman's calls reach (Berth's, beside its berth.conf). */
  get backendProgram(): string {
    return join(this.dir, "backend", "berth-netavark");
  }

  /** With `record`: every call Podman made to the backend, oldest first: argv and what it sent on stdin. */
  recordedCalls(): { argv: string[]; input: string }[] {
    const calls = join(this.dir, "calls");
    return readdirSync(calls)
      .filter((f) => f.endsWith(".argv"))
      .sort()
      .map((f) => ({
        argv: readFileSync(join(calls, f), "utf8")
          .split("\n")
          .filter((a) => a !== ""),
        input: readFileSync(join(calls, f.replace(/\.argv$/, ".in")), "utf8"),
      }));
  }

  /** Run a program in Podman's mount namespace. */
  exec(argv: readonly string[], input?: string): CmdResult {
    const r = spawnSync("nsenter", [`--mount=/proc/${this.#holder.pid ?? 0}/ns/mnt`, "--", ...argv], {
      env: this.env,
      encoding: "utf8",
      timeout: 120_000,
      ...(input === undefined ? {} : { input }),
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  podman(...args: string[]): CmdResult {
    return this.exec(["podman", ...args]);
  }

  /** `podman ARGS...`, failing with its output unless it succeeds. */
  ok(...args: string[]): string {
    const r = this.podman(...args);
    if (r.code !== 0) throw new Error(`podman ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Import a tiny image: busybox-static with its applets, and /www/index.html saying `page`. */
  importBusybox(page: string): void {
    const rootfs = join(this.dir, "rootfs");
    for (const d of ["bin", "etc", "proc", "sys", "dev", "tmp", "www"]) mkdirSync(join(rootfs, d), { recursive: true });
    cpSync(BUSYBOX, join(rootfs, "bin", "busybox"));
    chmodSync(join(rootfs, "bin", "busybox"), 0o755);
    for (const a of ["sh", "ping", "nslookup", "httpd", "cat", "sleep", "wget", "ip"]) symlinkSync("busybox", join(rootfs, "bin", a));
    writeFileSync(join(rootfs, "www", "index.html"), `${page}\n`);
    const tar = join(this.dir, "rootfs.tar");
    const t = spawnSync("tar", ["-C", rootfs, "-cf", tar, "."], { encoding: "utf8" });
    if (t.status !== 0) throw new Error(`tar: ${t.stderr}`);
    this.ok("import", tar, IMAGE);
  }

  /** Remove every container and network, stop the holder, delete the temp dir. */
  dispose(): void {
    this.podman("rm", "-a", "-f", "-t", "0");
    this.podman("network", "prune", "-f");
    this.#holder.kill("SIGKILL");
    // vfs layers may hold read-only dirs
    spawnSync("chmod", ["-R", "u+w", this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
