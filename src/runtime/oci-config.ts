/** What Berth asks the OCI runtime to run. */
export interface ContainerProcessSpec {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  /** Command and arguments, passed unchanged. */
  readonly args: readonly string[];
  readonly env?: readonly string[];
  readonly tty?: boolean;
  /** Root filesystem directory; undefined = the host's root, read-only. */
  readonly rootfs?: string;
  readonly network: { readonly kind: "netns"; readonly path: string } | { readonly kind: "host" };
  /** Host files bind-mounted over /etc/hosts, /etc/resolv.conf and /etc/hostname. */
  readonly etc: { readonly hosts: string; readonly resolvConf: string; readonly hostname: string };
}

/** Podman's default capability set: not full root. */
export const DEFAULT_CAPABILITIES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
];

/** Host directories shown (read-only) in a container that uses the host's root filesystem. */
export const HOST_ROOT_DIRS = ["/usr", "/etc", "/var", "/opt", "/srv", "/home", "/root"];
/** Merged-/usr symlinks at the top of that root. */
export const HOST_ROOT_LINKS: Record<string, string> = { bin: "usr/bin", sbin: "usr/sbin", lib: "usr/lib", lib64: "usr/lib64" };

interface Mount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

const DEFAULT_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"];

/**
 * The OCI runtime config (config.json) for a container: its own pid, mount,
 * uts and ipc namespaces; the network namespace Berth made (or the host's);
 * Podman's capabilities; and /etc files of its own.
 */
export function buildOciConfig(spec: ContainerProcessSpec, rootfsPath: string, hostDirs: readonly string[] = HOST_ROOT_DIRS): Record<string, unknown> {
  const mounts: Mount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] },
    { destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=755"] },
  ];
  if (spec.rootfs === undefined) {
    for (const d of hostDirs) mounts.push({ destination: d, type: "bind", source: d, options: ["rbind", "ro", "nosuid", "nodev"] });
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
      env: [...DEFAULT_ENV, `HOSTNAME=${spec.hostname}`, ...(spec.env ?? [])],
      cwd: "/",
      capabilities: {
        bounding: DEFAULT_CAPABILITIES,
        effective: DEFAULT_CAPABILITIES,
        permitted: DEFAULT_CAPABILITIES,
      },
      noNewPrivileges: true,
    },
    root: { path: rootfsPath, readonly: spec.rootfs === undefined },
    hostname: spec.hostname,
    mounts,
    linux: {
      namespaces,
      // ping without CAP_NET_RAW, as Podman allows; only inside a namespace of the container's own
      ...(spec.network.kind === "netns" ? { sysctl: { "net.ipv4.ping_group_range": "0 0" } } : {}),
      maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
      readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}
