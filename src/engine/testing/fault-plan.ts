import { BerthError, KernelError, type ErrorCode } from "../../errors.js";

/** EIO: what an injected kernel failure reports. */
const EIO = 5;

/**
 * Counts every call the fakes receive, in order, and fails the n-th one:
 * the table tests fail each call of a verb in turn. One plan is shared by
 * the fake kernel, firewall, runtime and resolver of an engine.
 */
export class FaultPlan {
  /** Every call so far ("kernel vethAdd bth1a2b3c", "firewall addPortMappings", ...). */
  readonly calls: string[] = [];
  /** Fail the call whose 1-based position in `calls` is this. */
  failAt: number | undefined;
  /** The call that was failed, once it has been. */
  failed: string | undefined;

  /** Set when the simulated process died: every later call fails and changes nothing (see crash.ts). */
  crashed = false;

  /** Record a call; throw the injected failure if it is the one to fail. */
  step(layer: "kernel" | "firewall" | "runtime" | "resolver", what: string): void {
    const call = `${layer} ${what}`;
    if (this.crashed) throw new BerthError("INTERNAL", `${call} after the process crashed`);
    this.calls.push(call);
    if (this.calls.length !== this.failAt) return;
    this.failed = call;
    if (layer === "kernel") throw new KernelError(`injected failure of ${call}`, EIO);
    const code: ErrorCode = layer === "firewall" ? "FIREWALL" : layer === "runtime" ? "RUNTIME" : "INTERNAL";
    throw new BerthError(code, `injected failure of ${call}`);
  }
}
