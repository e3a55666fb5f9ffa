import type { Command, Node, Operand, Pipe } from "./go-template-ast.js";
import { syntaxError, type TemplateError } from "./go-template-error.js";
import { lex, type Token } from "./go-template-lexer.js";

type Control = "if" | "with" | "range";

/**
 * Parse a Go text/template into a syntax tree, checking what Go checks at parse time:
 * balanced actions and {{end}}s, defined functions, declared variables.
 */
export function parse(src: string, functions: ReadonlySet<string>): Node[] {
  return new Parser(src, lex(src), functions).template();
}

class Parser {
  private at = 0;
  private rangeDepth = 0;
  private readonly vars: string[] = ["$"];

  constructor(
    private readonly src: string,
    private readonly tokens: readonly Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  template(): Node[] {
    const { nodes, stop } = this.list();
    if (stop) throw this.fail(stop, `unexpected {{${stop.val}}}`);
    return nodes;
  }

  /** Nodes up to EOF or an {{else}}/{{end}}, whose keyword token is returned as `stop` (its "{{" is consumed). */
  private list(): { nodes: Node[]; stop: Token | undefined } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "eof") return { nodes, stop: undefined };
      if (t.kind === "text") {
        nodes.push({ k: "text", text: t.val });
        continue;
      }
      const kw = this.peek();
      if (kw.kind !== "keyword") {
        nodes.push({ k: "action", pipe: this.pipeline("command", "close") });
        continue;
      }
      this.next();
      switch (kw.val) {
        case "else":
        case "end":
          return { nodes, stop: kw };
        case "if":
        case "with":
        case "range":
          nodes.push(this.control(kw.val));
          break;
        case "break":
        case "continue":
          if (this.rangeDepth === 0) throw this.fail(kw, `{{${kw.val}}} outside {{range}}`);
          this.expect("close", `unexpected ${this.describe(this.peek())} in {{${kw.val}}}`);
          nodes.push({ k: kw.val });
          break;
        default:
          throw this.fail(kw, `{{${kw.val}}} is not supported in --format templates`);
      }
    }
  }

  /** After `{{if`, `{{with`, `{{range` (or `{{else if`): the pipeline, the body, an optional else, and the {{end}}. */
  private control(kind: Control): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, "close");
    if (kind === "range") this.rangeDepth++;
    const body = this.list();
    if (kind === "range") this.rangeDepth--;
    let alt: Node[] = [];
    let stop = body.stop;
    if (stop?.val === "else") {
      const chained = this.peek();
      if (chained.kind === "keyword" && chained.val === kind && kind !== "range") {
        this.next();
        alt = [this.control(kind)]; // {{else if X}} shares the enclosing {{end}}
        stop = undefined;
      } else {
        this.expect("close", `unexpected ${this.describe(chained)} in {{else}}`);
        const rest = this.list();
        alt = rest.nodes;
        stop = rest.stop;
        if (stop?.val === "else") throw this.fail(stop, `expected {{end}}; found {{else}}`);
        if (!stop) throw this.fail(this.peek(), "unexpected EOF");
        this.expect("close", `unexpected ${this.describe(this.peek())} in {{end}}`);
      }
    } else if (stop?.val === "end") {
      this.expect("close", `unexpected ${this.describe(this.peek())} in {{end}}`);
    } else throw this.fail(this.peek(), "unexpected EOF");
    this.vars.length = mark;
    return { k: kind, pipe, body: body.nodes, alt };
  }

  /** `[$a[, $b] :=|=] command [| command]...` up to `until`, which is consumed. */
  private pipeline(context: string, until: "close" | "rparen"): Pipe {
    const vars: string[] = [];
    let assign = false;
    const first = this.peek();
    const decl = this.tokens[this.at + 1];
    if (first.kind === "var" && (decl?.kind === "declare" || decl?.kind === "assign" || decl?.kind === "comma")) {
      vars.push(first.val);
      this.at += 2;
      if (decl.kind === "comma") {
        const second = this.next();
        const op = this.next();
        if (second.kind !== "var" || (op.kind !== "declare" && op.kind !== "assign"))
          throw this.fail(second, `unexpected ${this.describe(second)} in declaration`);
        if (context !== "range") throw this.fail(first, `too many declarations in ${context}`);
        vars.push(second.val);
        assign = op.kind === "assign";
      } else assign = decl.kind === "assign";
      if (assign) for (const v of vars) this.checkVar(v, first);
    }
    if (this.peek().kind === "comma" && context === "range") throw this.fail(this.peek(), "too many declarations in range");
    const cmds: Command[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === until) {
        this.next();
        break;
      }
      if (t.kind === "close" && until === "rparen") throw this.fail(t, "unclosed left paren");
      if (t.kind === "rparen" && until === "close") throw this.fail(t, "unexpected right paren");
      if (cmds.length > 0) this.expect("pipe", `unexpected ${this.describe(t)} in operand`);
      else if (t.kind === "pipe") throw this.fail(t, `missing value for ${context}`);
      const cmd = this.command();
      const head = cmd.args[0];
      if (cmds.length > 0 && head && (head.k === "lit" || head.k === "nil" || head.k === "dot")) {
        throw this.fail(this.tokens[this.at - 1] ?? t, `non executable command in pipeline stage ${cmds.length + 1}`);
      }
      cmds.push(cmd);
    }
    if (cmds.length === 0) throw this.fail(this.tokens[this.at - 1] ?? first, `missing value for ${context}`);
    if (!assign) this.vars.push(...vars);
    return { vars, assign, cmds };
  }

  private command(): Command {
    const args: Operand[] = [];
    const start = this.peek();
    for (;;) {
      const t = this.peek();
      if (t.kind === "close" || t.kind === "rparen" || t.kind === "pipe") break;
      if (args.length > 0 && !t.space) throw this.fail(t, `unexpected ${this.describe(t)} in operand`);
      args.push(this.operand());
    }
    if (args.length === 0) throw this.fail(start, "missing value for command");
    const last = args[args.length - 1];
    return { args, pos: start.pos, text: this.src.slice(start.pos, last ? last.pos + last.text.length : start.pos) };
  }

  private operand(): Operand {
    const t = this.next();
    const text = (from: number) => this.src.slice(from, this.tokens[this.at - 1]?.end ?? from);
    switch (t.kind) {
      case "dot":
        this.noChain(t);
        return { k: "dot", pos: t.pos, text: "." };
      case "nil":
        this.noChain(t);
        return { k: "nil", pos: t.pos, text: "nil" };
      case "string":
      case "number":
      case "bool":
        this.noChain(t);
        return {
          k: "lit",
          value: t.kind === "string" ? t.val : t.kind === "number" ? t.num : t.val === "true",
          pos: t.pos,
          text: t.val === "" ? '""' : this.src.slice(t.pos, t.end),
        };
      case "field":
        return { k: "field", names: [t.val, ...this.chain()], pos: t.pos, text: text(t.pos) };
      case "var":
        this.checkVar(t.val, t);
        return { k: "var", name: t.val, names: this.chain(), pos: t.pos, text: text(t.pos) };
      case "ident":
        if (!this.functions.has(t.val))
          throw this.fail(t, `function "${t.val}" not defined`, `Functions available in --format: ${[...this.functions].sort().join(", ")}`);
        return { k: "fn", name: t.val, pos: t.pos, text: t.val };
      case "lparen": {
        const pipe = this.pipeline("parenthesized pipeline", "rparen");
        return { k: "paren", pipe, names: this.chain(), pos: t.pos, text: text(t.pos) };
      }
      default:
        throw this.fail(t, t.kind === "eof" ? "unclosed action" : `unexpected ${this.describe(t)} in operand`);
    }
  }

  /** Field names written right after a term, as in `$x.A.B` or `(index . 0).Name`. */
  private chain(): string[] {
    const names: string[] = [];
    while (this.peek().kind === "field" && !this.peek().space) names.push(this.next().val);
    return names;
  }

  private noChain(t: Token): void {
    const n = this.peek();
    if ((n.kind === "field" || n.kind === "dot") && !n.space) throw this.fail(n, `unexpected . after term "${this.src.slice(t.pos, t.end)}"`);
  }

  private checkVar(name: string, t: Token): void {
    if (!this.vars.includes(name)) throw this.fail(t, `undefined variable "${name}"`);
  }

  private expect(kind: Token["kind"], why: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.fail(t, t.kind === "eof" ? "unclosed action" : why);
    return t;
  }

  private describe(t: Token): string {
    if (t.kind === "close") return "}}";
    if (t.kind === "eof") return "EOF";
    return `"${this.src.slice(t.pos, t.end)}"`;
  }

  private peek(): Token {
    return this.tokens[this.at] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.at < this.tokens.length - 1) this.at++;
    return t;
  }

  private fail(t: Token, why: string, hint?: string): TemplateError {
    return syntaxError(this.src, t.pos, why, hint);
  }
}
