import { lexAction, type Token } from "./go-template-lexer.js";
import { TemplateError } from "./go-template-error.js";

export type Arg =
  | { readonly k: "field"; readonly path: readonly string[] }
  | { readonly k: "var"; readonly name: string; readonly path: readonly string[] }
  | { readonly k: "lit"; readonly v: unknown }
  | { readonly k: "fn"; readonly name: string }
  | { readonly k: "sub"; readonly pipe: Pipe; readonly path: readonly string[] };

export interface Pipe {
  readonly decl: readonly string[];
  readonly cmds: readonly (readonly Arg[])[];
}

export type Node =
  | { readonly k: "text"; readonly v: string }
  | { readonly k: "action"; readonly pipe: Pipe }
  | { readonly k: "if" | "with"; readonly pipe: Pipe; readonly body: Node[]; readonly alt: Node[] }
  | { readonly k: "range"; readonly pipe: Pipe; readonly body: Node[]; readonly alt: Node[] };

export const FUNCTIONS = new Set(["json", "index", "printf", "print", "println", "lower", "upper", "join", "len", "eq", "ne", "lt", "le", "gt", "ge", "not", "and", "or", "title", "truncate"]);

interface RawAction {
  readonly pos: number;
  readonly text: string;
}

/** Parse a Go text/template source into nodes. */
export function parse(src: string): Node[] {
  const items: (string | RawAction)[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      items.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === "-" && /\s/.test(src[start + 1] ?? "")) {
      text = text.replace(/\s+$/, "");
      start++;
    }
    const close = src.indexOf("}}", start);
    if (close < 0) throw new TemplateError(`template: :1:${open}: unclosed action`);
    let end = close;
    let trimAfter = false;
    if (src[close - 1] === "-" && /\s/.test(src[close - 2] ?? "")) {
      end = close - 1;
      trimAfter = true;
    }
    if (text) items.push(text);
    items.push({ pos: open, text: src.slice(start, end).trim() });
    i = close + 2;
    if (trimAfter) while (i < src.length && /\s/.test(src[i] ?? "")) i++;
  }
  let at = 0;
  const block = (stopAt: readonly string[]): { nodes: Node[]; stop: string; action: RawAction | undefined } => {
    const nodes: Node[] = [];
    while (at < items.length) {
      const it = items[at++];
      if (it === undefined) break;
      if (typeof it === "string") {
        nodes.push({ k: "text", v: it });
        continue;
      }
      if (it.text.startsWith("/*")) continue;
      const word = /^[a-z]+/.exec(it.text)?.[0] ?? "";
      if (stopAt.includes(word)) return { nodes, stop: word, action: it };
      if (word === "if" || word === "with" || word === "range") {
        const pipe = parsePipe(lexAction(it.text.slice(word.length), it.pos), it.pos);
        const body = block(["else", "end"]);
        let alt: Node[] = [];
        if (body.stop === "else") {
          const rest = body.action?.text.slice(4).trim() ?? "";
          if (rest.startsWith("if")) {
            // {{else if X}}: a nested if that shares the {{end}}
            const inner = parsePipe(lexAction(rest.slice(2), it.pos), it.pos);
            const ib = block(["else", "end"]);
            let ialt: Node[] = [];
            if (ib.stop === "else") ialt = expectEnd(block(["end"]), it.pos);
            alt = [{ k: "if", pipe: inner, body: ib.nodes, alt: ialt }];
          } else alt = expectEnd(block(["end"]), it.pos);
        } else if (body.stop !== "end") throw new TemplateError(`template: :1:${it.pos}: unexpected EOF: missing {{end}}`);
        nodes.push({ k: word, pipe, body: body.nodes, alt } as Node);
        continue;
      }
      if (word === "end" || word === "else") throw new TemplateError(`template: :1:${it.pos}: unexpected {{${word}}}`);
      nodes.push({ k: "action", pipe: parsePipe(lexAction(it.text, it.pos), it.pos) });
    }
    return { nodes, stop: "", action: undefined };
  };
  const r = block([]);
  return r.nodes;
}

function expectEnd(b: { nodes: Node[]; stop: string }, pos: number): Node[] {
  if (b.stop !== "end") throw new TemplateError(`template: :1:${pos}: unexpected EOF: missing {{end}}`);
  return b.nodes;
}

function parsePipe(tokens: Token[], pos: number): Pipe {
  let decl: string[] = [];
  const declAt = tokens.findIndex((t) => t.t === ":=");
  if (declAt >= 0) {
    decl = tokens.slice(0, declAt).filter((t): t is Extract<Token, { t: "var" }> => t.t === "var").map((t) => t.name);
    tokens = tokens.slice(declAt + 1);
  }
  let i = 0;
  const cmds: Arg[][] = [];
  const parseCmd = (endOn: ")" | undefined): Arg[] => {
    const args: Arg[] = [];
    while (i < tokens.length) {
      const t = tokens[i];
      if (!t || t.t === "|" || (endOn && t.t === ")")) break;
      i++;
      switch (t.t) {
        case "field":
          args.push({ k: "field", path: t.path });
          break;
        case "var":
          args.push({ k: "var", name: t.name, path: t.path });
          break;
        case "str":
        case "num":
        case "bool":
          args.push({ k: "lit", v: t.v });
          break;
        case "nil":
          args.push({ k: "lit", v: null });
          break;
        case "ident":
          if (!FUNCTIONS.has(t.v)) throw new TemplateError(`template: :1:${pos}: function "${t.v}" not defined`);
          args.push({ k: "fn", name: t.v });
          break;
        case "(": {
          const inner: Arg[][] = [];
          inner.push(parseCmd(")"));
          while (tokens[i]?.t === "|") {
            i++;
            inner.push(parseCmd(")"));
          }
          if (tokens[i]?.t !== ")") throw new TemplateError(`template: :1:${pos}: unclosed left paren`);
          i++;
          const next = tokens[i];
          let path: readonly string[] = [];
          if (next?.t === "fieldsuffix") {
            path = next.path;
            i++;
          }
          args.push({ k: "sub", pipe: { decl: [], cmds: inner }, path });
          break;
        }
        default:
          throw new TemplateError(`template: :1:${pos}: unexpected "${t.t}" in command`);
      }
    }
    if (args.length === 0) throw new TemplateError(`template: :1:${pos}: missing value for command`);
    return args;
  };
  cmds.push(parseCmd(undefined));
  while (tokens[i]?.t === "|") {
    i++;
    cmds.push(parseCmd(undefined));
  }
  if (i < tokens.length) throw new TemplateError(`template: :1:${pos}: unexpected "${tokens[i]?.t ?? ""}" in command`);
  return { decl, cmds };
}
