import type { Resolver } from "../deps/index.js";
import type { FaultPlan } from "./fault-plan.js";

/** The resolver daemon in memory: the serials it was asked to serve. */
export class FakeResolver implements Resolver {
  readonly served: number[] = [];
  constructor(readonly faults: FaultPlan) {}

  serve(serial: number): Promise<void> {
    this.faults.step("resolver", `serve ${serial}`);
    this.served.push(serial);
    return Promise.resolve();
  }
}
