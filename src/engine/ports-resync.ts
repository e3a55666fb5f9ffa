import type { Engine } from "./context.js";
import { describeMapping, samePortMapping, type PortMapping } from "../firewall/index.js";
import { dnatMappings } from "./ports.js";

/**
 * Make the DNAT maps match the store's published ports (for reconcile,
 * after the table was re-created): re-add the mappings that are missing and
 * delete elements no container publishes. Returns one line per change.
 */
export function resyncPortMappings(engine: Engine): string[] {
  const expected: PortMapping[] = engine.store.containers.list().flatMap((c) => dnatMappings(engine, c));
  const live = engine.firewall.listPortMappings();
  const missing = expected.filter((m) => !live.some((l) => samePortMapping(l, m)));
  const stale = live.filter((l) => !expected.some((m) => samePortMapping(l, m)));
  if (stale.length > 0) engine.firewall.removePortMappings(stale);
  if (missing.length > 0) engine.firewall.addPortMappings(missing);
  return [...stale.map((m) => `removed stale port mapping ${describeMapping(m)}`), ...missing.map((m) => `re-published port mapping ${describeMapping(m)}`)];
}
