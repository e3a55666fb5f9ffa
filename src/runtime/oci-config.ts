import type { ContainerProcessSpec } from "./container-spec.js";

/** Podman's default capability set: enough for ordinary programs, not full root. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
];

/**
 * Host directories shown read-only in a container that uses the host's root
 * filesystem (the top level itself is a skeleton in the bundle; see bundle.ts).
 * /root is left out on purpose: the host's root home is nobody's business;
 * /home only with `--host-home` (HOST_HOME_DIR).
 */
export const HOST_ROOT_DIRS: readonly string[] = ["/usr", "/etc", "/opt", "/srv", "/var"];

/** The host's home directories, shown only when asked (`berth run --host-home`). */
export const HOST_HOME_DIR = "/home";

/**
 * Host files a container on the host's root filesystem never sees, whatever
 * its capabilities (it runs as uid 0 with CAP_DAC_OVERRIDE): password
 * hashes, and private keys and state under /var and /etc. Masked by the
 * runtime (a file becomes /dev/null, a directory an empty read-only tmpfs).
 */
export const HOST_SECRETS: readonly string[] = [
  "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d",
  "/etc/ssh", "/etc/ssl/private", "/var/lib/berth", "/var/lib/containers", "/var/lib/containerd", "/var/lib/cni",
  "/var/lib/sss", "/var/lib/polkit-1", "/var/log", "/var/spool", "/var/backups", "/var/mail",
];

/** The /proc and /sys paths every container gets masked (as runc spec writes them). */
const KERNEL_MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"];

/** Default environment, before the spec's own. */
export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Directory of the skeleton root inside the bundle (OCI resolves a relative root.path against the bundle). */
export const BUNDLE_ROOTFS = "rootfs";

export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

export interface OciConfig {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: { readonly uid: number; readonly gid: number };
    readonly args: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly capabilities: Readonly<Record<"bounding" | "effective" | "permitted", readonly string[]>>;
    readonly noNewPrivileges: boolean;
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: {
    readonly namespaces: readonly { readonly type: string; readonly path?: string }[];
    readonly sysctl?: Readonly<Record<string, string>>;
    readonly maskedPaths: readonly string[];
    readonly readonlyPaths: readonly string[];
  };
}

export interface OciConfigOptions {
  /** Host directories to bind read-only when the spec has no rootfs. @default HOST_ROOT_DIRS */
  readonly hostDirs?: readonly string[];
}

/**
 * The OCI runtime config (config.json) for a container, as `runc spec` would
 * write it but with: its own pid, mount, uts and ipc namespaces; the network
 * namespace Berth made (by path) or none of its own in host mode; Podman's
 * capabilities; /tmp and /run as tmpfs; and the container's own /etc/hosts,
 * /etc/resolv.conf and /etc/hostname. Pure: no I/O.
 */
export function buildOciConfig(spec: ContainerProcessSpec, opts: OciConfigOptions = {}): OciConfig {
  const hostRoot = spec.rootfs === undefined;
  const mounts: OciMount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] },
    { destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=755"] },
  ];
  if (hostRoot) {
    const dirs = [...(opts.hostDirs ?? HOST_ROOT_DIRS), ...(spec.hostHome ? [HOST_HOME_DIR] : [])];
    for (const d of dirs) mounts.push({ destination: d, type: "bind", source: d, options: ["rbind", "ro", "nosuid", "nodev"] });
  }
  mounts.push(
    { destination: "/etc/hosts", type: "bind", source: spec.etc.hosts, options: ["bind", "rw"] },
    { destination: "/etc/resolv.conf", type: "bind", source: spec.etc.resolvConf, options: ["bind", "rw"] },
    { destination: "/etc/hostname", type: "bind", source: spec.etc.hostname, options: ["bind", "rw"] },
  );
  const namespaces: { type: string; path?: string }[] = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (spec.network.kind === "netns") namespaces.push({ type: "network", path: spec.network.path });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: spec.tty ?? false,
      user: { uid: 0, gid: 0 },
      args: [...spec.args],
      env: mergeEnv([DEFAULT_PATH, "TERM=xterm", `HOSTNAME=${spec.hostname}`], spec.env ?? []),
      cwd: "/",
      capabilities: { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES },
      noNewPrivileges: true,
    },
    root: { path: spec.rootfs ?? BUNDLE_ROOTFS, readonly: hostRoot },
    hostname: spec.hostname,
    mounts,
    linux: {
      namespaces,
      // ping without CAP_NET_RAW (ICMP datagram sockets for gid 0), as Podman does.
      // Only in a namespace of the container's own: runc refuses net.* sysctls in the host's.
      ...(spec.network.kind === "netns" ? { sysctl: { "net.ipv4.ping_group_range": "0 0" } } : {}),
      maskedPaths: hostRoot ? [...KERNEL_MASKED, ...HOST_SECRETS, ...(spec.hiddenHostPaths ?? []).filter((p) => !HOST_SECRETS.includes(p))] : KERNEL_MASKED,
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/** Later `KEY=value` entries replace earlier ones with the same KEY, keeping the first position. */
export function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const e of [...base, ...extra]) {
    const eq = e.indexOf("=");
    byKey.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return [...byKey.values()];
}
