/** What one nft run returned: success, the output buffer and the error buffer. */
export interface NftRunResult {
  readonly ok: boolean;
  readonly output: string;
  readonly error: string;
}

/**
 * A way to run nft scripts. Each `run` is one nft invocation: the whole
 * script is one kernel transaction (all of it applies, or none).
 */
export interface NftBackend {
  readonly kind: "libnftables" | "nft";
  /**
   * Run a script; with `json`, list commands print nft's JSON. With
   * `check`, the kernel validates the transaction and aborts it (nft -c):
   * nothing changes.
   */
  run(script: string, json: boolean, check?: boolean): NftRunResult;
  /** Release the library context (no-op for the program). */
  close(): void;
}
