import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "../exec.js";
import type { NftBackend, NftRunResult } from "./nft-backend.js";

/**
 * The `nft` program: the script goes to a private temp file and runs as
 * `nft [-j] [-c] -f FILE` (one transaction). `nft -f -` is not used: nft cannot
 * read a script from Node's stdin pipe.
 */
export function openNftProgram(program = "nft"): NftBackend {
  return {
    kind: "nft",
    run(script: string, json: boolean, check = false): NftRunResult {
      const dir = mkdtempSync(join(tmpdir(), "berth-nft-"));
      try {
        const file = join(dir, "script.nft");
        writeFileSync(file, script, { mode: 0o600 });
        const r = execFileSync(program, [...(json ? ["-j"] : []), ...(check ? ["-c"] : []), "-f", file]);
        return { ok: r.code === 0, output: r.stdout, error: r.stderr };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    close(): void {},
  };
}
