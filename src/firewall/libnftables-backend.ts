import { koffi } from "../native/koffi.js";
import type { NftBackend, NftRunResult } from "./nft-backend.js";

/** NFT_CTX_OUTPUT_JSON from <nftables/libnftables.h>. */
const NFT_CTX_OUTPUT_JSON = 1 << 4;
/** NFT_CTX_DEFAULT. */
const NFT_CTX_DEFAULT = 0;

type Ctx = unknown;

interface LibNftables {
  nft_ctx_new: (flags: number) => Ctx;
  nft_ctx_free: (ctx: Ctx) => void;
  nft_ctx_buffer_output: (ctx: Ctx) => number;
  nft_ctx_buffer_error: (ctx: Ctx) => number;
  nft_ctx_output_get_flags: (ctx: Ctx) => number;
  nft_ctx_output_set_flags: (ctx: Ctx, flags: number) => void;
  nft_run_cmd_from_buffer: (ctx: Ctx, buf: string) => number;
  nft_ctx_get_output_buffer: (ctx: Ctx) => string | null;
  nft_ctx_get_error_buffer: (ctx: Ctx) => string | null;
  nft_ctx_set_dry_run: (ctx: Ctx, dry: boolean) => void;
}

function bind(): LibNftables {
  const lib = koffi.load("libnftables.so.1");
  return {
    nft_ctx_new: lib.func("void *nft_ctx_new(uint32_t flags)") as LibNftables["nft_ctx_new"],
    nft_ctx_free: lib.func("void nft_ctx_free(void *ctx)") as LibNftables["nft_ctx_free"],
    nft_ctx_buffer_output: lib.func("int nft_ctx_buffer_output(void *ctx)") as LibNftables["nft_ctx_buffer_output"],
    nft_ctx_buffer_error: lib.func("int nft_ctx_buffer_error(void *ctx)") as LibNftables["nft_ctx_buffer_error"],
    nft_ctx_output_get_flags: lib.func("unsigned int nft_ctx_output_get_flags(void *ctx)") as LibNftables["nft_ctx_output_get_flags"],
    nft_ctx_output_set_flags: lib.func("void nft_ctx_output_set_flags(void *ctx, unsigned int flags)") as LibNftables["nft_ctx_output_set_flags"],
    nft_run_cmd_from_buffer: lib.func("int nft_run_cmd_from_buffer(void *ctx, const char *buf)") as LibNftables["nft_run_cmd_from_buffer"],
    nft_ctx_get_output_buffer: lib.func("const char *nft_ctx_get_output_buffer(void *ctx)") as LibNftables["nft_ctx_get_output_buffer"],
    nft_ctx_get_error_buffer: lib.func("const char *nft_ctx_get_error_buffer(void *ctx)") as LibNftables["nft_ctx_get_error_buffer"],
    nft_ctx_set_dry_run: lib.func("void nft_ctx_set_dry_run(void *ctx, bool dry)") as LibNftables["nft_ctx_set_dry_run"],
  };
}

let cached: LibNftables | null | undefined;

function library(): LibNftables | null {
  if (cached === undefined) {
    try {
      cached = bind();
    } catch {
      cached = null;
    }
  }
  return cached;
}

/**
 * libnftables in-process: no process per transaction. The context's netlink
 * socket is opened by nft_ctx_new, so it belongs to the network namespace
 * of the calling thread at that moment (open it in the host namespace, not
 * inside withNetns()). Returns undefined when the library cannot be loaded.
 */
export function openLibNftables(): NftBackend | undefined {
  const lib = library();
  if (!lib) return undefined;
  let ctx: Ctx = lib.nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return undefined;
  lib.nft_ctx_buffer_output(ctx);
  lib.nft_ctx_buffer_error(ctx);
  const baseFlags = lib.nft_ctx_output_get_flags(ctx);
  let jsonOn = false;
  return {
    kind: "libnftables",
    run(script: string, json: boolean, check = false): NftRunResult {
      if (!ctx) throw new Error("libnftables context used after close()");
      if (json !== jsonOn) {
        lib.nft_ctx_output_set_flags(ctx, json ? baseFlags | NFT_CTX_OUTPUT_JSON : baseFlags);
        jsonOn = json;
      }
      if (check) lib.nft_ctx_set_dry_run(ctx, true);
      let rc: number;
      try {
        rc = lib.nft_run_cmd_from_buffer(ctx, script);
      } finally {
        if (check) lib.nft_ctx_set_dry_run(ctx, false);
      }
      // reading a buffer also rewinds it, so both are read after every run
      const output = lib.nft_ctx_get_output_buffer(ctx) ?? "";
      const error = lib.nft_ctx_get_error_buffer(ctx) ?? "";
      return { ok: rc === 0, output, error };
    },
    close(): void {
      if (ctx) lib.nft_ctx_free(ctx);
      ctx = null;
    },
  };
}
