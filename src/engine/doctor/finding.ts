import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";

export type Severity = "error" | "warning" | "info";

/**
 * One diagnosis of `berth doctor`. `code` is stable (scripts may match on
 * it); `evidence` is what was seen on this host, `fix` a concrete command or
 * step.
 */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly evidence: string;
  readonly fix: string;
}

/**
 * What a doctor run is about: the whole host, or one container and the
 * networks it is on. Host-wide checks look only at `networks` and
 * `containers`.
 */
export interface DoctorScope {
  readonly wholeHost: boolean;
  readonly networks: readonly Network[];
  readonly containers: readonly Container[];
}

/** A check reads the kernel and the store and returns what it found (nothing when healthy). */
export type Check = (engine: Engine, scope: DoctorScope) => Finding[] | Promise<Finding[]>;

/** Errors and warnings are problems (exit code 1); info findings are notes. */
export function isProblem(f: Finding): boolean {
  return f.severity !== "info";
}
