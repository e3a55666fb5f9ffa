import { CGROUP_FIX, missingCgroupMounts } from "../../runtime/cgroup-mounts.js";
import type { Finding } from "./finding.js";

/**
 * CGROUP_MOUNTS_MISSING when this berth sees no cgroup hierarchy (it runs
 * under `ip netns exec`, which remounts /sys, or in a container without
 * /sys/fs/cgroup): runc then fails every `berth run` with "no cgroup mount
 * found in mountinfo".
 */
export function checkCgroupMounts(): Finding[] {
  const missing = missingCgroupMounts();
  if (missing === undefined) return [];
  return [
    {
      code: "CGROUP_MOUNTS_MISSING",
      severity: "error",
      summary: "No cgroup hierarchy is mounted where berth runs: every `berth run` fails (runc: no cgroup mount found in mountinfo)",
      evidence: missing,
      fix: CGROUP_FIX,
    },
  ];
}
