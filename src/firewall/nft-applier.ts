import koffi from "koffi";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "../exec.js";
import { BerthError } from "../errors.js";

interface LibNftables {
  ctx: unknown;
  run: (ctx: unknown, cmd: string) => number;
  out: (ctx: unknown) => string | null;
  err: (ctx: unknown) => string | null;
}


function loadLibNftables(): LibNftables | undefined {
  try {
    const lib = koffi.load("libnftables.so.1");
    const ctxNew = lib.func("void *nft_ctx_new(uint32_t flags)") as (f: number) => unknown;
    const bufOut = lib.func("int nft_ctx_buffer_output(void *ctx)") as (c: unknown) => number;
    const bufErr = lib.func("int nft_ctx_buffer_error(void *ctx)") as (c: unknown) => number;
    const ctx = ctxNew(0);
    if (!ctx) return undefined;
    bufOut(ctx);
    bufErr(ctx);
    return {
      ctx,
      run: lib.func("int nft_run_cmd_from_buffer(void *ctx, const char *buf)") as (c: unknown, s: string) => number,
      out: lib.func("const char *nft_ctx_get_output_buffer(void *ctx)") as (c: unknown) => string | null,
      err: lib.func("const char *nft_ctx_get_error_buffer(void *ctx)") as (c: unknown) => string | null,
    };
  } catch {
    return undefined;
  }
}

/**
 * Applies nft scripts as single transactions: through libnftables in-process
 * (no process per change), or `nft -f FILE` when the library is missing.
 * The library context is opened in the caller's network namespace.
 */
export class NftApplier {
  #lib: LibNftables | undefined | null = null;

  #library(): LibNftables | undefined {
    if (this.#lib === null) this.#lib = loadLibNftables();
    return this.#lib;
  }

  /** Run one script as one transaction; throws FIREWALL with nft's own message. */
  apply(script: string): string {
    const lib = this.#library();
    if (lib) {
      const rc = lib.run(lib.ctx, script);
      const out = lib.out(lib.ctx) ?? "";
      if (rc !== 0) throw failed(lib.err(lib.ctx) ?? "unknown error", script);
      return out;
    }
    const dir = mkdtempSync(join(tmpdir(), "berth-nft-"));
    try {
      const file = join(dir, "rules.nft");
      writeFileSync(file, script);
      const r = execFileSync("nft", ["-f", file]);
      if (r.code !== 0) throw failed(r.stderr, script);
      return r.stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `nft -j list ...` parsed: the `nftables` array of JSON objects. */
  listJson(what: string): Record<string, unknown>[] {
    const r = execFileSync("nft", ["-j", "list", ...what.split(" ")]);
    if (r.code !== 0) return [];
    const parsed = JSON.parse(r.stdout) as { nftables?: Record<string, unknown>[] };
    return parsed.nftables ?? [];
  }
}

function failed(message: string, script: string): BerthError {
  return new BerthError("FIREWALL", `nftables refused Berth's rules: ${message.trim().split("\n").slice(0, 4).join(" | ")}`, {
    hint: `Check that the kernel has nf_tables and NAT (modprobe nf_tables nft_nat nft_masq nft_fib_inet); the script began: ${script.split("\n")[0] ?? ""}`,
  });
}

