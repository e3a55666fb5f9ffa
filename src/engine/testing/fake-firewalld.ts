import { BerthError } from "../../errors.js";
import type { Firewalld } from "../deps/index.js";
import type { FaultPlan } from "./fault-plan.js";

/**
 * firewalld in memory: whether it runs, and which zone each source is
 * bound to (as its runtime configuration). Not running by default, as on
 * most hosts; then it answers `running()` and nothing else is asked of it.
 * Changes go through the FaultPlan (layer "firewall").
 */
export class FakeFirewalld implements Firewalld {
  isRunning = false;
  /** Source (CIDR) -> zone. */
  readonly zones = new Map<string, string>();
  /** Every call, in order ("running", "addSource trusted 10.88.0.0/16", ...). */
  readonly calls: string[] = [];

  constructor(readonly faults?: FaultPlan) {}

  running(): boolean {
    this.calls.push("running");
    return this.isRunning;
  }

  runningForSetup(): boolean {
    return this.running();
  }

  zoneOfSource(source: string): string {
    this.#need(`zoneOfSource ${source}`);
    return this.zones.get(source) ?? "";
  }

  addSource(zone: string, source: string): void {
    this.#need(`addSource ${zone} ${source}`);
    const bound = this.zones.get(source);
    if (bound !== undefined)
      throw new BerthError("FIREWALLD", `Cannot add ${source} to firewalld's ${zone} zone: ZONE_ALREADY_SET: '${source}' already bound to '${bound}'`);
    this.zones.set(source, zone);
  }

  removeSource(zone: string, source: string): void {
    this.#need(`removeSource ${zone} ${source}`);
    if (this.zones.get(source) !== zone) throw new BerthError("FIREWALLD", `Cannot remove ${source} from firewalld's ${zone} zone: UNKNOWN_SOURCE: ${source}`);
    this.zones.delete(source);
  }

  /** The sources bound to `zone`, sorted. */
  sources(zone: string): string[] {
    return [...this.zones]
      .filter(([, z]) => z === zone)
      .map(([s]) => s)
      .sort();
  }

  #need(call: string): void {
    this.calls.push(call);
    if (!this.isRunning) throw new BerthError("FIREWALLD", `Cannot ${call}: firewalld is not running`);
    this.faults?.step("firewall", `firewalld ${call}`);
  }
}
