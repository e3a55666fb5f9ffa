import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, normalize } from "node:path";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";
import { ALL_CAPABILITIES, type VolumeMount } from "../../runtime/index.js";

/** The process-side `run`/`create` flags (Podman's), before validation. */
export interface ProcessOptions {
  /** -w */
  readonly workdir?: string;
  /** -u UID[:GID] or NAME[:GROUP] */
  readonly user?: string;
  readonly entrypoint?: string;
  /** -v HOST:CTR[:ro|rw] */
  readonly volumes?: readonly string[];
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly privileged?: boolean;
  /** --sysctl KEY=VALUE (net.* only) */
  readonly sysctls?: readonly string[];
  /** --label KEY=VALUE */
  readonly labels?: readonly string[];
  readonly init?: boolean;
  /** --restart no|on-failure[:N]|always */
  readonly restart?: string;
}

export type RestartPolicy = { readonly kind: "no" } | { readonly kind: "always" } | { readonly kind: "on-failure"; readonly maxRetries: number | undefined };

/** The validated form. */
export interface ProcessPlan {
  readonly cwd: string | undefined;
  readonly user: { readonly uid: number; readonly gid: number } | undefined;
  readonly volumes: readonly VolumeMount[];
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly privileged: boolean;
  readonly sysctls: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly init: string | undefined;
  readonly restart: RestartPolicy;
}

/** Where --init's program comes from (Debian's catatonit, as Podman uses). */
export const CATATONIT = "/usr/bin/catatonit";

/**
 * Validate the process flags. `rootfs` is where names given to -u are looked
 * up (its /etc/passwd and /etc/group; the host's for the host root).
 * `ownNetns`: whether the container has a network namespace of its own
 * (net.* sysctls are set inside it; runc refuses them in the host's).
 */
export function planProcess(o: ProcessOptions, ctx: { rootfs: string | undefined; ownNetns: boolean }): ProcessPlan {
  if (o.workdir !== undefined && !isAbsolute(o.workdir)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid -w "${printable(o.workdir)}": the working directory must be an absolute path`, {
      hint: "Write -w /path/inside/the/container",
    });
  }
  return {
    cwd: o.workdir === undefined ? undefined : normalize(o.workdir),
    user: o.user === undefined ? undefined : parseUser(o.user, ctx.rootfs ?? "/"),
    volumes: (o.volumes ?? []).map(parseVolume),
    capAdd: (o.capAdd ?? []).flatMap(splitList).map(parseCapability),
    capDrop: (o.capDrop ?? []).flatMap(splitList).map(parseCapability),
    privileged: o.privileged ?? false,
    sysctls: parseSysctls(o.sysctls ?? [], ctx.ownNetns),
    labels: parseLabels(o.labels ?? []),
    init: o.init ? requireInit() : undefined,
    restart: parseRestart(o.restart ?? "no"),
  };
}

function splitList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/** NET_ADMIN, net_admin or CAP_NET_ADMIN -> CAP_NET_ADMIN; ALL stays ALL. */
export function parseCapability(text: string): string {
  const up = text.toUpperCase();
  if (up === "ALL") return up;
  const cap = up.startsWith("CAP_") ? up : `CAP_${up}`;
  if (!ALL_CAPABILITIES.includes(cap)) {
    throw new BerthError("INVALID_ARGUMENT", `Unknown capability "${printable(text)}"`, {
      hint: "Use names like NET_ADMIN, NET_RAW, SYS_ADMIN or ALL (see capabilities(7))",
    });
  }
  return cap;
}

/** -v HOST:CTR[:ro|rw]: both absolute, the host path must exist (Podman makes named volumes; Berth has none). */
export function parseVolume(text: string): VolumeMount {
  const parts = text.split(":");
  const [source = "", destination = "", mode, ...rest] = parts;
  if (rest.length > 0 || !isAbsolute(source) || !isAbsolute(destination) || (mode !== undefined && !/^(ro|rw|z|Z|ro,z|ro,Z|rw,z|rw,Z)$/.test(mode))) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid -v "${printable(text)}"`, {
      hint: "Write -v /host/path:/container/path[:ro] (Berth has no named volumes)",
    });
  }
  if (!existsSync(source)) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot mount -v "${printable(text)}": ${source} does not exist on the host`, {
      hint: `Create it first (mkdir -p ${source})`,
    });
  }
  return { source: normalize(source), destination: normalize(destination), readOnly: mode?.startsWith("ro") ?? false };
}

/** --sysctl net.KEY=VALUE, only in the container's own network namespace (the kernel scopes net.* to it). */
export function parseSysctls(list: readonly string[], ownNetns: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list) {
    const eq = s.indexOf("=");
    const key = eq < 0 ? "" : s.slice(0, eq);
    if (!/^net\.[a-zA-Z0-9_.\-/]+$/.test(key) || key.includes("..")) {
      throw new BerthError(
        "INVALID_ARGUMENT",
        `Invalid --sysctl "${printable(s)}": Berth sets only net.* sysctls (they belong to the container's network namespace)`,
        {
          hint: "Write --sysctl net.ipv4.ip_unprivileged_port_start=80; other sysctls are the host's",
        },
      );
    }
    if (!ownNetns) {
      throw new BerthError("INVALID_ARGUMENT", `--sysctl ${key} needs a network namespace of the container's own`, {
        hint: "Drop --sysctl, or leave out --network host / container:NAME / ns:PATH",
      });
    }
    out[key] = s.slice(eq + 1);
  }
  return out;
}

export function parseLabels(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf("=");
    const key = eq < 0 ? l : l.slice(0, eq);
    if (key === "" || /[\s\x00-\x1f]/.test(key))
      throw new BerthError("INVALID_ARGUMENT", `Invalid --label "${printable(l)}"`, { hint: "Write --label KEY=VALUE" });
    out[key] = eq < 0 ? "" : l.slice(eq + 1);
  }
  return out;
}

/** no | always | on-failure[:N] (unless-stopped is taken as always: Berth restarts nothing at boot). */
export function parseRestart(text: string): RestartPolicy {
  if (text === "no" || text === "") return { kind: "no" };
  if (text === "always" || text === "unless-stopped") return { kind: "always" };
  const m = /^on-failure(?::(\d+))?$/.exec(text);
  if (m) return { kind: "on-failure", maxRetries: m[1] === undefined ? undefined : Number(m[1]) };
  throw new BerthError("INVALID_ARGUMENT", `Invalid --restart "${printable(text)}"`, { hint: "Use --restart no, on-failure, on-failure:N or always" });
}

export function restartText(p: RestartPolicy): string {
  return p.kind === "on-failure" ? (p.maxRetries === undefined ? "on-failure" : `on-failure:${p.maxRetries}`) : p.kind;
}

/**
 * Whether conmon's cleanup should start the container again: `always` after
 * any exit, `on-failure` after a non-zero one while under N restarts. Never
 * after `berth stop`/`kill` by the user (`stoppedByUser`), as Podman.
 */
export function shouldRestart(p: RestartPolicy, exitCode: number | undefined, restarts: number, stoppedByUser: boolean): boolean {
  if (stoppedByUser || p.kind === "no") return false;
  if (p.kind === "always") return true;
  return (exitCode ?? 0) !== 0 && (p.maxRetries === undefined || restarts < p.maxRetries);
}

function requireInit(): string {
  if (!existsSync(CATATONIT)) throw new BerthError("MISSING_DEPENDENCY", `--init needs ${CATATONIT}`, { hint: "Install it: apt-get install catatonit" });
  return CATATONIT;
}

/** -u UID[:GID] | NAME[:GROUP], names looked up in the root filesystem's /etc/passwd and /etc/group. */
export function parseUser(text: string, rootfs: string): { uid: number; gid: number } {
  const [u = "", g] = text.split(":");
  const passwd = readTable(`${rootfs}/etc/passwd`);
  const entry = /^\d+$/.test(u) ? passwd.find((p) => p[2] === u) : passwd.find((p) => p[0] === u);
  const uid = /^\d+$/.test(u) ? Number(u) : entry ? Number(entry[2]) : NaN;
  if (!Number.isInteger(uid))
    throw new BerthError("INVALID_ARGUMENT", `Unknown user "${printable(u)}" in the container's /etc/passwd`, { hint: "Give a numeric -u UID[:GID]" });
  let gid: number;
  if (g === undefined) gid = entry ? Number(entry[3]) : 0;
  else if (/^\d+$/.test(g)) gid = Number(g);
  else {
    const grp = readTable(`${rootfs}/etc/group`).find((x) => x[0] === g);
    if (!grp) throw new BerthError("INVALID_ARGUMENT", `Unknown group "${printable(g)}" in the container's /etc/group`, { hint: "Give a numeric -u UID:GID" });
    gid = Number(grp[2]);
  }
  return { uid, gid };
}

function readTable(path: string): string[][] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(":"));
  } catch {
    return [];
  }
}

/**
 * --env-file: KEY=VALUE lines; blank lines and # comments skipped; a bare
 * KEY takes the caller's value of KEY (left out if it has none), as Podman.
 */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").trimStart();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq === 0) throw new BerthError("INVALID_ARGUMENT", `Invalid --env-file line "${printable(line)}"`, { hint: "Write KEY=VALUE, one a line" });
    if (eq > 0) out.push(line);
    else if (env[line] !== undefined) out.push(`${line}=${env[line] ?? ""}`);
  }
  return out;
}
