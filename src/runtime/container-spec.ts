/** What Berth asks the OCI runtime to run: one container's process, root and namespaces. */
export interface ContainerProcessSpec {
  /** Container id: 64 lowercase hex digits (also the runtime's container id). */
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  /** Command and arguments, passed unchanged. */
  readonly args: readonly string[];
  /**
   * Extra environment, after the defaults (PATH, TERM=xterm, HOSTNAME);
   * a later `KEY=` wins over an earlier one.
   */
  readonly env?: readonly string[];
  /** Give the process a terminal. @default false */
  readonly tty?: boolean;
  /** Root filesystem directory; undefined = the host's root filesystem, read-only. */
  readonly rootfs?: string;
  /** With the host's root filesystem: show the host's /home too (read-only). @default false */
  readonly hostHome?: boolean;
  /** With the host's root filesystem: host directories the container must not see (Berth's state, run and namespace directories). */
  readonly hiddenHostPaths?: readonly string[];
  /** A network namespace Berth made (a bind-mounted nsfs file), or the host's own. */
  readonly network: { readonly kind: "netns"; readonly path: string } | { readonly kind: "host" };
  /** Host files bind-mounted (read-write) over /etc/hosts, /etc/resolv.conf and /etc/hostname. */
  readonly etc: { readonly hosts: string; readonly resolvConf: string; readonly hostname: string };
  /** Working directory (absolute). @default "/" */
  readonly cwd?: string;
  /** User and group ids the process runs as. @default root */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** `-v HOST:CTR[:ro]` bind mounts. */
  readonly volumes?: readonly VolumeMount[];
  /** Capabilities added to / dropped from Podman's default set ("ALL" allowed). */
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** All capabilities, no masked or read-only /proc paths, new privileges allowed. @default false */
  readonly privileged?: boolean;
  /** net.* sysctls set inside the container's own network namespace. */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Run `init` (catatonit, a host path) as PID 1, which reaps zombies and forwards signals to the command. */
  readonly init?: string;
  /** OCI annotations: what Berth must remember about the container for a later start (labels, ports, restart policy). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface VolumeMount {
  readonly source: string;
  readonly destination: string;
  readonly readOnly: boolean;
}
