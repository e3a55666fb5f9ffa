import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeControl } from "./escape-control.js";
import { main } from "./program.js";

test("escapeControl() shows C0, DEL, C1 and bidi controls as escapes and leaves other text alone", () => {
  assert.equal(escapeControl("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
  assert.equal(escapeControl("1.1.1.1\n\r\t\x7f"), "1.1.1.1\\n\\r\\t\\x7f");
  assert.equal(escapeControl("\u009b2J \u202eevil"), "\\u009b2J \\u202eevil");
  assert.equal(escapeControl("line\nline", { newline: true }), "line\nline");
  assert.equal(escapeControl("tête-à-tête \\x1b ok"), "tête-à-tête \\x1b ok");
});

// should a verb ever reach the engine, it finds a throwaway state directory, never the host's
process.env["BERTH_ROOT"] = mkdtempSync(join(tmpdir(), "berth-escape-"));

/** Run the CLI's main() with stderr captured. */
async function stderrOf(argv: readonly string[]): Promise<{ code: number; text: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, text: chunks.join("") };
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
  }
}

test("the CLI prints the control characters of a rejected value escaped, in Berth's errors and commander's", async () => {
  // refused while the flags are read, before any store or kernel is touched
  const file = await stderrOf(["run", "--env-file", "/nonexistent/berth\n\x1b[2J", "--rm", "sh"]);
  assert.equal(file.code, 125);
  assert.match(file.text, /^Error: Cannot read --env-file \/nonexistent\/berth\\n\\x1b\[2J: ENOENT$/m);
  assert.doesNotMatch(file.text, /\x1b/);
  assert.match(file.text, /^Hint: /m);

  const option = await stderrOf(["--bogus\x1b[31m"]);
  assert.equal(option.code, 125);
  assert.match(option.text, /--bogus\\x1b\[31m/);
  assert.doesNotMatch(option.text, /\x1b/);
});
