import type { Firewalld } from "../deps/index.js";
import type { ChangePlan } from "./planned-change.js";

/**
 * firewalld in a dry run: whether it runs and which zone holds a source
 * are asked of the real one; binding or unbinding a source is recorded in
 * the plan instead (and remembered, so the dry run sees its own changes).
 */
export function recordingFirewalld(real: Firewalld, plan: ChangePlan): Firewalld {
  const zones = new Map<string, string>();
  return {
    running: () => real.running(),
    runningForSetup: () => real.runningForSetup(),
    zoneOfSource: (source) => zones.get(source) ?? real.zoneOfSource(source),
    addSource(zone, source) {
      plan.add("firewalld", `add ${source} to firewalld's ${zone} zone (runtime configuration)`);
      zones.set(source, zone);
    },
    removeSource(zone, source) {
      plan.add("firewalld", `remove ${source} from firewalld's ${zone} zone (runtime configuration)`);
      zones.set(source, "");
    },
  };
}
