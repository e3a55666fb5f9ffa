import type { Command, Node, Operand, Pipe } from "./go-template-ast.js";
import { execError, type TemplateError } from "./go-template-error.js";
import { callFunction, CallError } from "./go-template-funcs.js";
import { formatValue, goType, isMap, isMissing, isTrue, mapKeys, MISSING, structType } from "./go-template-value.js";

/** Execute a parsed template against `data` (the initial dot and `$`). */
export function execute(src: string, nodes: readonly Node[], data: unknown): string {
  const out: string[] = [];
  new Executor(src, data, out).walk(nodes, data);
  return out.join("");
}

interface Variable {
  readonly name: string;
  value: unknown;
}

class Executor {
  private readonly vars: Variable[];

  constructor(
    private readonly src: string,
    root: unknown,
    private readonly out: string[],
  ) {
    this.vars = [{ name: "$", value: root }];
  }

  walk(nodes: readonly Node[], dot: unknown): void {
    for (const n of nodes) {
      switch (n.k) {
        case "text":
          this.out.push(n.text);
          break;
        case "action": {
          const v = this.pipe(n.pipe, dot);
          if (n.pipe.vars.length === 0) this.out.push(formatValue(v));
          break;
        }
        case "if":
        case "with": {
          const mark = this.vars.length;
          const v = this.pipe(n.pipe, dot);
          if (isTrue(v)) this.walk(n.body, n.k === "with" ? v : dot);
          else this.walk(n.alt, dot);
          this.vars.length = mark;
          break;
        }
        case "range":
          this.range(n.pipe, n.body, n.alt, dot);
          break;
        case "break":
        case "continue":
          throw new LoopSignal(n.k);
      }
    }
  }

  private range(pipe: Pipe, body: readonly Node[], alt: readonly Node[], dot: unknown): void {
    const mark = this.vars.length;
    const v = this.pipe({ ...pipe, vars: [] }, dot);
    const entries = this.entries(v, pipe);
    for (const [key, elem] of entries) {
      const [a, b] = pipe.vars;
      if (b !== undefined) this.bind(a ?? "", key, pipe.assign).bind(b, elem, pipe.assign);
      else if (a !== undefined) this.bind(a, elem, pipe.assign);
      try {
        this.walk(body, elem);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.kind === "break") break;
      } finally {
        this.vars.length = mark;
      }
    }
    if (entries.length === 0) this.walk(alt, dot);
    this.vars.length = mark;
  }

  /** Go's range order: slices by index, maps by sorted key, an integer n as 0..n-1. */
  private entries(v: unknown, pipe: Pipe): [unknown, unknown][] {
    if (isMissing(v) || v === null) return [];
    if (Array.isArray(v)) return v.map((x: unknown, i) => [i, x]);
    if (isMap(v)) return mapKeys(v).map((k) => [k, v[k]]);
    if (typeof v === "number" && Number.isInteger(v)) return Array.from({ length: Math.max(0, v) }, (_x, i) => [i, i]);
    const cmd = pipe.cmds[pipe.cmds.length - 1];
    throw this.fail(cmd?.pos ?? 0, cmd?.text ?? "", `range can't iterate over ${formatValue(v)}`);
  }

  private bind(name: string, value: unknown, assign: boolean): this {
    const v = assign ? this.lookup(name) : undefined;
    if (v) v.value = value;
    else this.vars.push({ name, value });
    return this;
  }

  /** The innermost variable called `name`. */
  private lookup(name: string): Variable | undefined {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]?.name === name) return this.vars[i];
    return undefined;
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let value: unknown = MISSING;
    p.cmds.forEach((cmd, i) => {
      value = this.command(cmd, dot, i === 0 ? NO_FINAL : { value });
    });
    for (const name of p.vars) this.bind(name, value, p.assign);
    return value;
  }

  private command(cmd: Command, dot: unknown, final: Final): unknown {
    const [head, ...args] = cmd.args;
    if (!head) return MISSING;
    if (head.k === "fn") return this.call(head.name, args, dot, final, cmd);
    const hasArgs = args.length > 0 || final !== NO_FINAL;
    if (hasArgs && head.k === "field") throw this.fail(head.pos, head.text, `${head.names[head.names.length - 1] ?? ""} is not a method but has arguments`);
    if (hasArgs) throw this.fail(head.pos, head.text, `can't give argument to non-function ${head.text}`);
    if (head.k === "nil") throw this.fail(head.pos, head.text, "nil is not a command");
    return this.operand(head, dot);
  }

  private call(name: string, argNodes: readonly Operand[], dot: unknown, final: Final, cmd: { pos: number; text: string }): unknown {
    const lazy = name === "and" || name === "or";
    const args: unknown[] = [];
    const all = final === NO_FINAL ? argNodes.length : argNodes.length + 1;
    for (let i = 0; i < all; i++) {
      const node = argNodes[i];
      const v = node ? this.operand(node, dot) : final === NO_FINAL ? MISSING : final.value;
      args.push(v);
      if (lazy && i < all - 1 && isTrue(v) === (name === "or")) return v;
    }
    try {
      return callFunction(name, args);
    } catch (e) {
      if (!(e instanceof CallError)) throw e;
      throw this.fail(cmd.pos, cmd.text, e.plain ? e.message : `error calling ${name}: ${e.message}`);
    }
  }

  private operand(op: Operand, dot: unknown): unknown {
    switch (op.k) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "lit":
        return op.value;
      case "field":
        return this.fields(dot, op.names, op);
      case "var": {
        const v = this.lookup(op.name);
        if (!v) throw this.fail(op.pos, op.text, `undefined variable: ${op.name}`);
        return this.fields(v.value, op.names, op);
      }
      case "fn":
        return this.call(op.name, [], dot, NO_FINAL, op);
      case "paren":
        return this.fields(this.pipe(op.pipe, dot), op.names, op);
    }
  }

  /** Follow `.A.B`: a missing map key gives "no value"; a field a struct lacks, or a field of a non-map, is an error. */
  private fields(start: unknown, names: readonly string[], op: Operand): unknown {
    let cur = start;
    for (const name of names) {
      if (isMissing(cur) || cur === null) return MISSING;
      if (!isMap(cur)) throw this.fail(op.pos, op.text, `can't evaluate field ${name} in type ${goType(cur)}`);
      const has = Object.prototype.hasOwnProperty.call(cur, name);
      const type = structType(cur);
      if (type !== undefined && !has) {
        throw execError(
          this.src,
          op.pos,
          op.text,
          `can't evaluate field ${name} in type ${type}`,
          `Fields of ${type}: ${Object.keys(cur)
            .map((k) => `.${k}`)
            .join(" ")}`,
        );
      }
      cur = has && cur[name] !== undefined ? cur[name] : MISSING;
    }
    return cur;
  }

  private fail(pos: number, context: string, why: string): TemplateError {
    return execError(this.src, pos, context, why);
  }
}

type Final = typeof NO_FINAL | { readonly value: unknown };
const NO_FINAL = Symbol("no piped value");

/** Unwinds from {{break}}/{{continue}} to the enclosing range. */
class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}
