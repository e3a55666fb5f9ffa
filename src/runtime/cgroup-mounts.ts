import { readFileSync } from "node:fs";
import { BerthError } from "../errors.js";

/** What runc prints when the mount namespace it runs in shows no cgroup hierarchy. */
export const RUNC_NO_CGROUP_MOUNT = /no cgroup mount found in mountinfo/;

/** The mount points of cgroup (v1) and cgroup2 file systems in a mountinfo text. */
export function cgroupMountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split("\n")) {
    // "36 35 98:0 / /sys/fs/cgroup rw,... shared:1 - cgroup2 cgroup2 rw": the type follows " - "
    const dash = line.indexOf(" - ");
    if (dash < 0) continue;
    const type = line.slice(dash + 3).split(" ")[0];
    if (type === "cgroup" || type === "cgroup2") out.push(line.split(" ")[4] ?? "");
  }
  return out;
}

/** Why no container can start here, when this process sees no cgroup hierarchy; undefined when it does (or mountinfo is unreadable). */
export function missingCgroupMounts(mountinfoPath = "/proc/self/mountinfo"): string | undefined {
  let text: string;
  try {
    text = readFileSync(mountinfoPath, "utf8");
  } catch {
    return undefined;
  }
  return cgroupMountPoints(text).length > 0 ? undefined : `${mountinfoPath} lists no cgroup or cgroup2 mount`;
}

/** How to get a cgroup hierarchy back, for error hints and doctor. */
export const CGROUP_FIX =
  "`ip netns exec` remounts /sys and hides /sys/fs/cgroup: run berth from the host's namespaces, or from `unshare --net --mount` instead of `ip netns exec` (Berth makes its own namespaces), or mount the hierarchy where berth runs: mount -t cgroup2 none /sys/fs/cgroup";

/** The error for a run where the runtime cannot create a container's cgroup. */
export function cgroupMountsError(what: string, evidence: string): BerthError {
  return new BerthError("RUNTIME", `${what}: no cgroup hierarchy is mounted where berth runs (${evidence}), so runc cannot create the container's cgroup`, {
    hint: CGROUP_FIX,
  });
}

/** Throws cgroupMountsError when this process sees no cgroup mount (checked before a run changes anything). */
export function requireCgroupMounts(what: string): void {
  const missing = missingCgroupMounts();
  if (missing !== undefined) throw cgroupMountsError(what, missing);
}

/** The hint for a failed runc create/start: the cgroup fix when runc says it found no cgroup mount, else `fallback`. */
export function runtimeFailureHint(detail: string, fallback: string): string {
  return RUNC_NO_CGROUP_MOUNT.test(detail) ? CGROUP_FIX : fallback;
}
