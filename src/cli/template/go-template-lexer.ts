import { syntaxError } from "./go-template-error.js";

export type TokenKind =
  | "text"
  | "open"
  | "close"
  | "eof"
  | "field"
  | "dot"
  | "var"
  | "string"
  | "number"
  | "bool"
  | "nil"
  | "ident"
  | "keyword"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma";

/** One lexeme. `pos`/`end` are offsets into the source; `space` says whitespace preceded it inside an action. */
export interface Token {
  readonly kind: TokenKind;
  readonly val: string;
  readonly num: number;
  readonly pos: number;
  readonly end: number;
  readonly space: boolean;
}

export const KEYWORDS = new Set(["if", "else", "end", "range", "with", "break", "continue", "define", "template", "block"]);

const SPACE = /[ \t\r\n]/;
const IDENT = /[\p{L}_][\p{L}\p{N}_]*/uy;
const VAR_NAME = /[\p{L}\p{N}_]*/uy;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?)/y;
const ESCAPES: Readonly<Record<string, string>> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };

/** Split a Go template into text and action tokens, applying `{{-`/`-}}` trims and dropping comments. */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, pos: number, end: number, space: boolean, val = src.slice(pos, end), num = 0) => out.push({ kind, val, num, pos, end, space });
  while (i <= src.length) {
    const open = src.indexOf("{{", i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (open < 0) {
      if (text) push("text", i, src.length, false, text);
      break;
    }
    let p = open + 2;
    if (src[p] === "-" && SPACE.test(src[p + 1] ?? "")) {
      text = text.replace(/[ \t\r\n]+$/, "");
      p += 2;
    }
    if (text) push("text", i, open, false, text);
    i = lexAction(src, open, p, out);
  }
  push("eof", src.length, src.length, false, "");
  return out;
}

/** Lex one action starting after its `{{`; returns the offset after the closing `}}` (and any trimmed space). */
function lexAction(src: string, open: number, start: number, out: Token[]): number {
  let i = start;
  let space = false;
  const tok = (kind: TokenKind, pos: number, end: number, val = src.slice(pos, end), num = 0) => {
    out.push({ kind, val, num, pos, end, space });
    space = false;
    i = end;
  };
  const close = (end: number, trim: boolean): number => {
    out.push({ kind: "close", val: "}}", num: 0, pos: i, end, space: false });
    return trim ? skipSpace(src, end) : end;
  };
  while (SPACE.test(src[i] ?? "")) i++;
  if (src.startsWith("/*", i)) {
    const endComment = src.indexOf("*/", i + 2);
    if (endComment < 0) throw syntaxError(src, open, "unclosed comment");
    i = endComment + 2;
    if (src.startsWith("}}", i)) return i + 2;
    if (SPACE.test(src[i] ?? "") && src.startsWith("-}}", i + 1)) return skipSpace(src, i + 4);
    throw syntaxError(src, open, "comment ends before closing delimiter");
  }
  out.push({ kind: "open", val: "{{", num: 0, pos: open, end: start, space: false });
  i = start;
  for (;;) {
    const c = src[i];
    if (c === undefined) throw syntaxError(src, open, "unclosed action");
    if (SPACE.test(c)) {
      if (src.startsWith("-}}", i + 1)) return close(i + 4, true);
      space = true;
      i++;
    } else if (src.startsWith("}}", i)) {
      return close(i + 2, false);
    } else if (c === "|") tok("pipe", i, i + 1);
    else if (c === "(") tok("lparen", i, i + 1);
    else if (c === ")") tok("rparen", i, i + 1);
    else if (c === ",") tok("comma", i, i + 1);
    else if (src.startsWith(":=", i)) tok("declare", i, i + 2);
    else if (c === "=") tok("assign", i, i + 1);
    else if (c === '"') {
      const end = scanQuoted(src, i, '"', open);
      tok("string", i, end, unquote(src, i, end));
    } else if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end < 0) throw syntaxError(src, i, "unterminated raw quoted string");
      tok("string", i, end + 1, src.slice(i + 1, end));
    } else if (c === "'") {
      const end = scanQuoted(src, i, "'", open);
      const chars = [...unquote(src, i, end)];
      if (chars.length !== 1) throw syntaxError(src, i, `malformed character constant: ${src.slice(i, end)}`);
      tok("number", i, end, src.slice(i, end), chars[0]?.codePointAt(0) ?? 0);
    } else if (c === "$") {
      VAR_NAME.lastIndex = i + 1;
      tok("var", i, i + 1 + (VAR_NAME.exec(src)?.[0].length ?? 0));
    } else if (c === "." && !/[0-9]/.test(src[i + 1] ?? "")) {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      if (m) tok("field", i, i + 1 + m[0].length, m[0]);
      else tok("dot", i, i + 1);
    } else if (/[-+.0-9]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      const end = i + (m?.[0].length ?? 0);
      const text = m?.[0] ?? "";
      const digits = text.replace(/_/g, "").replace(/^[+-]/, "");
      const n = (text.startsWith("-") ? -1 : 1) * Number(digits.startsWith(".") ? `0${digits}` : digits);
      if (!m || /[\p{L}\p{N}_.]/u.test(src[end] ?? "") || Number.isNaN(n)) throw syntaxError(src, i, `bad number syntax: "${src.slice(i, end + 1)}"`);
      tok("number", i, end, text, n);
    } else {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src);
      if (!m) {
        const cp = c.codePointAt(0) ?? 0;
        throw syntaxError(src, i, `unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${c}'`);
      }
      const w = m[0];
      const kind: TokenKind = w === "true" || w === "false" ? "bool" : w === "nil" ? "nil" : KEYWORDS.has(w) ? "keyword" : "ident";
      tok(kind, i, i + w.length);
    }
  }
}

function skipSpace(src: string, from: number): number {
  let i = from;
  while (i < src.length && SPACE.test(src[i] ?? "")) i++;
  return i;
}

function scanQuoted(src: string, start: number, quote: string, open: number): number {
  let j = start + 1;
  for (;;) {
    const ch = src[j];
    if (ch === undefined || ch === "\n") throw syntaxError(src, open, quote === '"' ? "unterminated quoted string" : "unterminated character constant");
    if (ch === "\\") j += 2;
    else if (ch === quote) return j + 1;
    else j++;
  }
}

/** Go's strconv.Unquote for "..." and '...' literals. */
function unquote(src: string, start: number, end: number): string {
  const body = src.slice(start + 1, end - 1);
  let s = "";
  for (let j = 0; j < body.length;) {
    const ch = body[j] ?? "";
    if (ch !== "\\") {
      s += ch;
      j++;
      continue;
    }
    const e = body[j + 1] ?? "";
    const simple = ESCAPES[e];
    const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (simple !== undefined) {
      s += simple;
      j += 2;
    } else if (hexLen > 0 && /^[0-9a-fA-F]+$/.test(body.slice(j + 2, j + 2 + hexLen)) && body.length >= j + 2 + hexLen) {
      s += String.fromCodePoint(parseInt(body.slice(j + 2, j + 2 + hexLen), 16));
      j += 2 + hexLen;
    } else if (/^[0-7]{3}$/.test(body.slice(j + 1, j + 4))) {
      s += String.fromCharCode(parseInt(body.slice(j + 1, j + 4), 8));
      j += 4;
    } else throw syntaxError(src, start, `invalid syntax in quoted string ${src.slice(start, end)}`);
  }
  return s;
}
