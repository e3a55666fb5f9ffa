import type { ContainerProcessSpec } from "./container-spec.js";

/** Podman's default capability set: enough for ordinary programs, not full root. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
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
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/sudoers",
  "/etc/sudoers.d",
  "/etc/ssh",
  "/etc/ssl/private",
  "/var/lib/berth",
  "/var/lib/containers",
  "/var/lib/containerd",
  "/var/lib/cni",
  "/var/lib/sss",
  "/var/lib/polkit-1",
  "/var/log",
  "/var/spool",
  "/var/backups",
  "/var/mail",
];

/** The /proc and /sys paths every container gets masked (as runc spec writes them). */
const KERNEL_MASKED = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
];

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
  readonly annotations?: Readonly<Record<string, string>>;
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
  for (const v of spec.volumes ?? []) mounts.push({ destination: v.destination, type: "bind", source: v.source, options: ["rbind", v.readOnly ? "ro" : "rw"] });
  if (spec.init !== undefined) mounts.push({ destination: INIT_PATH, type: "bind", source: spec.init, options: ["bind", "ro"] });
  const caps = capabilitySet(spec);
  const privileged = spec.privileged === true;
  const namespaces: { type: string; path?: string }[] = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (spec.network.kind === "netns") namespaces.push({ type: "network", path: spec.network.path });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: spec.tty ?? false,
      user: spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : { uid: 0, gid: 0 },
      args: spec.init !== undefined ? [INIT_PATH, "--", ...spec.args] : [...spec.args],
      env: mergeEnv([DEFAULT_PATH, "TERM=xterm", `HOSTNAME=${spec.hostname}`], spec.env ?? []),
      cwd: spec.cwd ?? "/",
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: !privileged,
    },
    root: { path: spec.rootfs ?? BUNDLE_ROOTFS, readonly: hostRoot },
    hostname: spec.hostname,
    mounts,
    linux: {
      namespaces,
      // ping without CAP_NET_RAW (ICMP datagram sockets for gid 0), as Podman does.
      // Only in a namespace of the container's own: runc refuses net.* sysctls in the host's.
      ...(spec.network.kind === "netns" ? { sysctl: { "net.ipv4.ping_group_range": "0 0", ...spec.sysctls } } : {}),
      // --privileged lifts the kernel masks, as Podman's does; the host's secrets stay hidden either way
      maskedPaths: [
        ...(privileged ? [] : KERNEL_MASKED),
        ...(hostRoot ? [...HOST_SECRETS, ...(spec.hiddenHostPaths ?? []).filter((p) => !HOST_SECRETS.includes(p))] : []),
      ],
      readonlyPaths: privileged ? [] : ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
    ...(spec.annotations ? { annotations: { ...spec.annotations } } : {}),
  };
}

/** Where --init's program is mounted in the container (Podman uses /run/podman-init). */
export const INIT_PATH = "/run/berth-init";

/** Every capability this kernel knows (Linux 5.9+: up to CAP_CHECKPOINT_RESTORE), for --privileged and --cap-add ALL. */
export const ALL_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** Podman's default set, then --cap-drop, then --cap-add (so `--cap-drop ALL --cap-add NET_RAW` leaves NET_RAW). */
export function capabilitySet(spec: Pick<ContainerProcessSpec, "capAdd" | "capDrop" | "privileged">): string[] {
  if (spec.privileged) return [...ALL_CAPABILITIES];
  let caps = [...DEFAULT_CAPABILITIES];
  for (const d of spec.capDrop ?? []) caps = d === "ALL" ? [] : caps.filter((c) => c !== d);
  for (const a of spec.capAdd ?? []) {
    for (const c of a === "ALL" ? ALL_CAPABILITIES : [a]) if (!caps.includes(c)) caps.push(c);
  }
  return caps;
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
