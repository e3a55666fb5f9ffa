/**
 * Terminal control characters as visible escapes, for text the CLI prints
 * that may echo input (names, paths, values): an escape sequence in a
 * network name must not recolour, clear or rewrite the operator's
 * terminal, and a newline in a value must not forge a second `Hint:` line.
 * C0 controls and DEL become `\n`, `\r`, `\t` or `\xHH`; C1 controls and
 * the bidirectional overrides (which reorder what a line seems to say)
 * become `\uHHHH`. A backslash stays as it is.
 */
export function escapeControl(text: string, keep: { readonly newline?: boolean } = {}): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === "\n") return keep.newline === true ? ch : "\\n";
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { "\r": "\\r", "\t": "\\t" };

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
