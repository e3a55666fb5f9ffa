import { TemplateError } from "./go-template-error.js";

export type Token =
  | { readonly t: "field"; readonly path: readonly string[] }
  | { readonly t: "var"; readonly name: string; readonly path: readonly string[] }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "num"; readonly v: number }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "nil" }
  | { readonly t: "ident"; readonly v: string }
  | { readonly t: "(" | ")" | "|" | ":=" | "," }
  | { readonly t: "fieldsuffix"; readonly path: readonly string[] };

/** Split the inside of one {{ action }} into tokens. */
export function lexAction(src: string, at: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (why: string) => new TemplateError(`template: :1:${at + i}: ${why}`);
  const path = (): string[] => {
    const parts: string[] = [];
    while (src[i] === ".") {
      i++;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      if (!m) {
        if (parts.length === 0) return parts;
        throw fail("bad field name");
      }
      parts.push(m[0]);
      i += m[0].length;
    }
    return parts;
  };
  while (i < src.length) {
    const c = src[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "|" || c === ",") {
      out.push({ t: c });
      i++;
    } else if (src.startsWith(":=", i)) {
      out.push({ t: ":=" });
      i += 2;
    } else if (c === ".") {
      const suffix = out[out.length - 1]?.t === ")" && !/\s/.test(src[i - 1] ?? " ");
      if (/[A-Za-z_]/.test(src[i + 1] ?? "")) {
        const p = path();
        out.push(suffix ? { t: "fieldsuffix", path: p } : { t: "field", path: p });
      } else {
        out.push({ t: "field", path: [] });
        i++;
      }
    } else if (c === "$") {
      i++;
      const m = /^[A-Za-z0-9_]*/.exec(src.slice(i));
      const name = m?.[0] ?? "";
      i += name.length;
      out.push({ t: "var", name, path: path() });
    } else if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\") {
          const n = src[j + 1];
          s += n === "n" ? "\n" : n === "t" ? "\t" : n === '"' ? '"' : n === "\\" ? "\\" : (n ?? "");
          j += 2;
        } else s += src[j++] ?? "";
      }
      if (src[j] !== '"') throw fail("unterminated quoted string");
      out.push({ t: "str", v: s });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) throw fail("unterminated raw quoted string");
      out.push({ t: "str", v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) throw fail(`unexpected "${c}"`);
      out.push({ t: "num", v: Number(m[0]) });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      if (!m) throw fail(`unexpected "${c}" in command`);
      const w = m[0];
      out.push(w === "true" || w === "false" ? { t: "bool", v: w === "true" } : w === "nil" ? { t: "nil" } : { t: "ident", v: w });
      i += w.length;
    }
  }
  return out;
}
