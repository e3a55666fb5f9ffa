import { openLibNftables } from "./libnftables-backend.js";
import type { NftBackend } from "./nft-backend.js";
import { openNftProgram } from "./nft-cli-backend.js";
import { isNftNotFound, nftFailure } from "./nft-error.js";
import { parseNftJson, type NftJson, type NftObject } from "./nft-json.js";
import { TABLE } from "./table.js";

export interface NftApplierOptions {
  /**
   * "auto" (libnftables, else the nft program), or force one path.
   * @default "auto"
   */
  readonly backend?: "auto" | "libnftables" | "nft";
}

/**
 * The one way Berth talks to nftables. Each `apply` is one nft run, hence
 * one kernel transaction. Uses libnftables in-process (koffi) when it loads,
 * else `nft -f FILE`. The backend is opened on first use, in the calling
 * thread's network namespace.
 */
export class NftApplier {
  readonly #want: "auto" | "libnftables" | "nft";
  #backend: NftBackend | undefined;

  constructor(options: NftApplierOptions = {}) {
    this.#want = options.backend ?? "auto";
  }

  /** Which path is in use: "libnftables" or "nft" (opens the backend). */
  get kind(): NftBackend["kind"] {
    return this.#open().kind;
  }

  #open(): NftBackend {
    if (this.#backend) return this.#backend;
    if (this.#want !== "nft") {
      const lib = openLibNftables();
      if (lib) return (this.#backend = lib);
      if (this.#want === "libnftables") throw nftFailure("Cannot load libnftables.so.1", "Error: library not found or unknown symbol");
    }
    return (this.#backend = openNftProgram());
  }

  /**
   * Run a script as one transaction; throws FIREWALL with nft's message.
   * Equivalent to: nft -f FILE
   */
  apply(script: string, what = "Cannot apply Berth's nftables rules"): void {
    const r = this.#open().run(script, false);
    if (!r.ok) throw nftFailure(what, r.error || r.output);
  }

  /**
   * Run list commands with JSON output; undefined when what was listed does
   * not exist. Equivalent to: nft -j list ...
   */
  list(command: string): NftJson | undefined {
    const r = this.#open().run(command, true);
    if (r.ok) return parseNftJson(r.output);
    if (isNftNotFound(r.error)) return undefined;
    throw nftFailure(`Cannot read nftables (${command.trim()})`, r.error || r.output);
  }

  /**
   * Let the kernel validate a script as a transaction and abort it:
   * nothing changes. Returns nft's error text, or undefined when the
   * script would apply. Equivalent to: nft -c -f FILE
   */
  check(script: string): string | undefined {
    const r = this.#open().run(script, false, true);
    return r.ok ? undefined : r.error || r.output || "nft -c failed";
  }

  /** The `nftables` array of a list command; empty when the object is missing. */
  listJson(what: string): NftObject[] {
    return this.list(`list ${what}`)?.nftables ?? [];
  }

  /** Berth's table as nft JSON, or undefined when it does not exist. Equivalent to: nft -j list table inet berth */
  listTable(): NftJson | undefined {
    return this.list(`list table ${TABLE}`);
  }

  /** The whole ruleset as nft JSON. Equivalent to: nft -j list ruleset */
  listRuleset(): NftJson {
    return this.list("list ruleset") ?? { nftables: [] };
  }

  /** Delete Berth's table; fine when it is already gone. Equivalent to: nft delete table inet berth */
  deleteTable(): void {
    this.apply(`add table ${TABLE}\ndelete table ${TABLE}\n`, "Cannot delete nft table inet berth");
  }

  /** Release the libnftables context. */
  close(): void {
    this.#backend?.close();
    this.#backend = undefined;
  }
}
