import type { Engine } from "../context.js";
import { planRun, type RunOptions, type RunPlan } from "../container/run-options.js";
import { describeForeignDropPolicy } from "../../firewall/index.js";

/**
 * What `run -p` should warn about before it runs: ports published into an
 * internal network, whose firewall drops everything coming in from other
 * machines and other networks (only this host's own connections arrive).
 */
export function publishWarnings(engine: Engine, plan: Pick<RunPlan, "mode" | "ports">): string[] {
  if (plan.ports.length === 0 || plan.mode.kind !== "bridge") return [];
  const first = plan.mode.networks[0]?.network;
  const net = first === undefined ? undefined : engine.store.networks.byName(first);
  if (!net?.internal) return [];
  return [
    `network "${net.name}" is internal: the ports published with -p are dropped for other machines and other networks (nothing comes into an internal network); only this host's own connections reach them. Use a non-internal network to publish ports, or drop -p`,
  ];
}

/**
 * Everything `berth run` warns about before it starts: with ports to
 * publish, another firewall's forward policy that drops their traffic;
 * then publishWarnings. Invalid options throw here, before any change.
 */
export function runWarnings(engine: Engine, opts: RunOptions): string[] {
  const publishing = (opts.publish?.length ?? 0) > 0 || opts.publishAll === true;
  const foreign = publishing ? engine.firewall.foreignDropPolicies().map(describeForeignDropPolicy) : [];
  return [...foreign, ...publishWarnings(engine, planRun(opts))];
}
