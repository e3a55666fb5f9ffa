import type { Container } from "../model/container.js";
import { goStruct, formatTime } from "./template/index.js";
import { ago } from "./output.js";
import type { TemplateTarget } from "./template/index.js";

/** What `ps` knows about one container besides its record. */
export interface PsFacts {
  /** "0.0.0.0:8080->80/tcp, ..." */
  readonly ports: string;
  /** Names of the networks it is on. */
  readonly networks: readonly string[];
  /** Mount destinations of its -v volumes. */
  readonly mounts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** What plays the image: the --rootfs directory, or "/" for the host's root filesystem. */
  readonly image: string;
  readonly noTrunc: boolean;
  readonly now?: number;
}

/** Go's zero time as Unix seconds, which Podman prints for "never". */
const ZERO_TIME_UNIX = -62135596800;

/** Podman 4.3.1's ps status text: "Up 2 seconds ago", "Exited (3) 1 minute ago", "Created". */
export function statusText(c: Container, now = Date.now()): string {
  if (c.status === "running") return `Up ${ago(c.started ?? c.created, now)}`;
  if (c.status === "exited") return c.started === undefined ? "Created" : `Exited (${c.exitCode ?? 0}) ${ago(c.finished, now)}`;
  return c.status === "creating" ? "Created" : "Removing";
}

/** Podman truncates a command longer than 17 characters unless --no-trunc. */
export function commandText(command: readonly string[], noTrunc: boolean): string {
  const s = command.join(" ");
  return !noTrunc && s.length > 17 ? `${s.slice(0, 17)}...` : s;
}

/**
 * One `ps --format` row with Podman's field names (its psReporter, 4.3.1):
 * `{{.Names}}`, `{{.ID}}`, `{{.Status}}`, `{{.Ports}}`... A field it does not
 * have is an error. `Name` is Berth's own extra (the container's one name).
 */
export function psRow(c: Container, f: PsFacts): Record<string, unknown> {
  const now = f.now ?? Date.now();
  const created = new Date(c.created);
  const status = statusText(c, now);
  const unix = (iso: string | undefined) => (iso === undefined ? ZERO_TIME_UNIX : Math.floor(Date.parse(iso) / 1000));
  return goStruct("ps.Container", {
    ID: f.noTrunc ? c.id : c.id.slice(0, 12),
    Image: f.image,
    Command: commandText(c.command, f.noTrunc),
    CreatedHuman: ago(c.created, now),
    Created: formatTime(created),
    CreatedAt: formatTime(created),
    RunningFor: ago(c.created, now),
    Status: status,
    State: status,
    Ports: f.ports,
    Names: c.name,
    Name: c.name,
    Networks: f.networks.join(","),
    Labels: { ...f.labels },
    Mounts: [...f.mounts],
    ExitCode: c.exitCode ?? 0,
    Exited: c.status === "exited",
    ExitedAt: unix(c.finished),
    StartedAt: unix(c.started),
    Pid: c.pid ?? 0,
    AutoRemove: c.autoRemove,
    Pod: "",
    PodName: "",
    IsInfra: false,
  });
}

export const PS_TARGET: TemplateTarget = {
  name: "ps",
  fields: [
    "ID",
    "Image",
    "Command",
    "CreatedHuman",
    "Created",
    "CreatedAt",
    "RunningFor",
    "Status",
    "State",
    "Ports",
    "Names",
    "Name",
    "Networks",
    "Labels",
    "Mounts",
    "ExitCode",
    "Exited",
    "ExitedAt",
    "StartedAt",
    "Pid",
    "AutoRemove",
    "Pod",
    "PodName",
    "IsInfra",
  ],
  headers: { ID: "CONTAINER ID", CreatedHuman: "CREATED", Created: "CREATED", Name: "NAME" },
};
