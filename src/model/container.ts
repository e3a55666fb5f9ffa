export type NetworkMode =
  | { readonly kind: "bridge"; readonly networks: readonly NetworkRequest[] }
  | { readonly kind: "host" }
  | { readonly kind: "none" }
  | { readonly kind: "container"; readonly target: string }
  /** `--network ns:PATH`: join a network namespace someone else made (Berth changes nothing in it). */
  | { readonly kind: "ns"; readonly path: string };

/** One `--network NAME` entry with its per-network options. */
export interface NetworkRequest {
  readonly network: string;
  readonly ip?: string;
  readonly ip6?: string;
  readonly mac?: string;
  readonly aliases?: readonly string[];
  /** Interface name inside the container (default: the next free ethN). */
  readonly ifname?: string;
}

export type ContainerStatus = "creating" | "running" | "exited" | "removing";

export interface DnsSettings {
  readonly servers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

export interface Container {
  readonly id: string;
  readonly name: string;
  readonly command: readonly string[];
  readonly hostname: string;
  readonly mode: "bridge" | "host" | "none" | "container";
  /** For mode "container": the id of the container whose namespace is shared (undefined for `--network ns:PATH`, whose path is `netns`). */
  readonly modeTarget: string | undefined;
  /** Path of the named network namespace (undefined for host mode). */
  readonly netns: string | undefined;
  readonly rootfs: string | undefined;
  readonly autoRemove: boolean;
  readonly detached: boolean;
  readonly dns: DnsSettings;
  readonly extraHosts: readonly ExtraHost[];
  /** The networks the container asked for (bridge mode); live memberships are attachments. */
  readonly networks: readonly NetworkRequest[];
  readonly status: ContainerStatus;
  /** The berth process working on the container while it is creating/removing. */
  readonly ownerPid: number | undefined;
  readonly pid: number | undefined;
  readonly exitCode: number | undefined;
  readonly created: string;
  readonly started: string | undefined;
  readonly finished: string | undefined;
  /**
   * The engine that owns the container and its network namespace when it is
   * not Berth (e.g. "podman", "cni"): Berth only made its network (see
   * engine/sandbox/). Undefined for containers Berth runs.
   */
  readonly managedBy: string | undefined;
}

/** What a new container's record says about itself; its life-cycle fields start as for every container. */
export type NewContainer = Omit<Container, "status" | "ownerPid" | "pid" | "exitCode" | "created" | "started" | "finished">;

/**
 * A container record as it is first written: "creating", owned by this
 * process (a crash before the end is rolled back by the next berth
 * command), created now, never started.
 */
export function creatingContainer(fields: NewContainer): Container {
  return {
    ...fields,
    status: "creating",
    ownerPid: process.pid,
    pid: undefined,
    exitCode: undefined,
    created: new Date().toISOString(),
    started: undefined,
    finished: undefined,
  };
}

/**
 * A detached container's record, "running", with no process, namespace or
 * settings of note: what test fixtures and benches start from, with the
 * fields they care about in `over`.
 */
export function runningContainerRecord(id: string, name: string, over: Partial<Container> = {}): Container {
  return {
    id,
    name,
    command: ["sleep", "600"],
    hostname: name,
    mode: "bridge",
    modeTarget: undefined,
    netns: undefined,
    rootfs: undefined,
    autoRemove: false,
    detached: true,
    dns: { servers: [], search: [], options: [] },
    extraHosts: [],
    networks: [],
    status: "running",
    ownerPid: undefined,
    pid: undefined,
    exitCode: undefined,
    created: "2026-01-01T00:00:00Z",
    started: undefined,
    finished: undefined,
    managedBy: undefined,
    ...over,
  };
}

/** A container's membership of one network: its interface and lease. */
export interface Attachment {
  readonly containerId: string;
  readonly networkId: string;
  /** Interface name inside the container (eth0, eth1, ...). */
  readonly ifname: string;
  /** Host end of the veth pair. */
  readonly hostVeth: string;
  /** IPv4 lease; undefined on an IPv6-only network. */
  readonly ip: string | undefined;
  /** IPv6 lease; undefined on an IPv4-only network. */
  readonly ip6: string | undefined;
  readonly mac: string;
  readonly aliases: readonly string[];
  readonly staticIp: boolean;
  readonly staticIp6: boolean;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
