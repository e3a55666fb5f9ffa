import { BerthError } from "../../errors.js";
import { CniErrorCode, type CniErrorResult } from "./spec.js";

/**
 * An error in the spec's shape: a well-known code, a short message, and
 * details that say what to do. Everything the plugin refuses is one of these.
 */
export class CniError extends Error {
  override readonly name = "CniError";
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }

  toResult(cniVersion: string): CniErrorResult {
    return { cniVersion, code: this.code, msg: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Map any thrown value onto the spec's error shape: Berth's own errors keep message and hint. */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof BerthError) {
    const code =
      e.code === "CONTAINER_NOT_FOUND" || e.code === "NETNS_NOT_FOUND"
        ? CniErrorCode.UNKNOWN_CONTAINER
        : e.code.startsWith("INVALID_") || e.code === "GATEWAY_OUTSIDE_SUBNET" || e.code === "SUBNET_OVERLAP"
          ? CniErrorCode.INVALID_CONFIG
          : e.code === "STATE"
            ? CniErrorCode.TRY_AGAIN_LATER
            : CniErrorCode.BERTH_REFUSED;
    return new CniError(code, e.message, `${e.code}${e.hint ? `: ${e.hint}` : ""}`);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new CniError(CniErrorCode.IO_FAILURE, msg, "an unexpected failure; run `berth doctor` on this node and see the plugin's stderr");
}
