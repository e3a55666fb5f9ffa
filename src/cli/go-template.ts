import { parse, type Arg, type Node, type Pipe } from "./go-template-parser.js";
import { TemplateError } from "./go-template-error.js";

export { TemplateError };

export interface CompiledTemplate {
  execute(data: unknown): string;
}

const NO_VALUE = "<no value>";

/** Parse a Go text/template (the subset Podman users write in --format). */
export function parseTemplate(src: string): CompiledTemplate {
  const nodes = parse(src);
  return { execute: (data) => run(nodes, data, new Map([["", data]])) };
}

export function renderTemplate(src: string, data: unknown): string {
  return parseTemplate(src).execute(data);
}

/** Podman turns the two characters `\n` and `\t` in --format into a newline and a tab. */
export function unescapeFormat(s: string): string {
  return s.replace(/\\n/g, "\n").replace(/\\t/g, "\t");
}

type Vars = Map<string, unknown>;

function run(nodes: readonly Node[], dot: unknown, vars: Vars): string {
  let out = "";
  for (const n of nodes) {
    switch (n.k) {
      case "text":
        out += n.v;
        break;
      case "action": {
        const v = evalPipe(n.pipe, dot, vars);
        if (n.pipe.decl.length === 0) out += show(v);
        break;
      }
      case "if": {
        const v = evalPipe(n.pipe, dot, vars);
        out += truthy(v) ? run(n.body, dot, vars) : run(n.alt, dot, vars);
        break;
      }
      case "with": {
        const v = evalPipe(n.pipe, dot, vars);
        out += truthy(v) ? run(n.body, v, vars) : run(n.alt, dot, vars);
        break;
      }
      case "range": {
        const v = evalPipe({ decl: [], cmds: n.pipe.cmds }, dot, vars);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : isObject(v)
            ? Object.keys(v)
                .sort()
                .map((k) => [k, v[k]])
            : [];
        if (entries.length === 0) {
          out += run(n.alt, dot, vars);
          break;
        }
        for (const [k, x] of entries) {
          const inner = new Map(vars);
          const [a, b] = n.pipe.decl;
          if (a !== undefined && b !== undefined) {
            inner.set(a, k);
            inner.set(b, x);
          } else if (a !== undefined) inner.set(a, x);
          out += run(n.body, x, inner);
        }
        break;
      }
    }
  }
  return out;
}

function evalPipe(p: Pipe, dot: unknown, vars: Vars): unknown {
  let value: unknown;
  let first = true;
  for (const cmd of p.cmds) {
    value = evalCmd(cmd, dot, vars, first ? undefined : { v: value });
    first = false;
  }
  for (const name of p.decl) vars.set(name, value);
  return value;
}

function evalCmd(cmd: readonly Arg[], dot: unknown, vars: Vars, piped: { v: unknown } | undefined): unknown {
  const head = cmd[0];
  if (head?.k === "fn") {
    const args = cmd.slice(1).map((a) => evalArg(a, dot, vars));
    if (piped) args.push(piped.v);
    return call(head.name, args);
  }
  if (cmd.length > 1 || piped) throw new TemplateError("template: can't give argument to non-function");
  return head ? evalArg(head, dot, vars) : undefined;
}

function evalArg(a: Arg, dot: unknown, vars: Vars): unknown {
  switch (a.k) {
    case "lit":
      return a.v;
    case "field":
      return walk(dot, a.path);
    case "var": {
      if (!vars.has(a.name)) throw new TemplateError(`template: undefined variable "$${a.name}"`);
      return walk(vars.get(a.name), a.path);
    }
    case "sub":
      return walk(evalPipe(a.pipe, dot, vars), a.path);
    case "fn":
      return call(a.name, []);
  }
}

const MISSING = Symbol("missing");

function walk(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (cur === MISSING || cur === undefined || cur === null) return MISSING;
    if (!isObject(cur)) throw new TemplateError(`template: can't evaluate field ${key} in type ${typeName(cur)}`);
    cur = key in cur ? cur[key] : MISSING;
  }
  return cur;
}

function call(name: string, args: unknown[]): unknown {
  const a = args.map((x) => (x === MISSING ? undefined : x));
  switch (name) {
    case "json":
      return JSON.stringify(a[0] ?? null);
    case "index": {
      let cur: unknown = a[0];
      for (const k of a.slice(1)) {
        if (Array.isArray(cur)) cur = cur[Number(k)];
        else if (isObject(cur)) cur = Object.prototype.hasOwnProperty.call(cur, String(k)) ? cur[String(k)] : MISSING;
        else throw new TemplateError(`template: can't index item of type ${typeName(cur)}`);
      }
      return cur;
    }
    case "printf":
      return sprintf(String(a[0] ?? ""), a.slice(1));
    case "print":
      return a.map(show).join("");
    case "println":
      return `${a.map(show).join(" ")}\n`;
    case "lower":
      return show(a[0]).toLowerCase();
    case "upper":
      return show(a[0]).toUpperCase();
    case "title":
      return show(a[0]).replace(/\b\w/g, (c) => c.toUpperCase());
    case "truncate":
      return show(a[0]).slice(0, Number(a[1] ?? 0));
    case "join":
      return Array.isArray(a[0]) ? a[0].map(show).join(String(a[1] ?? "")) : show(a[0]);
    case "len":
      return Array.isArray(a[0]) ? a[0].length : isObject(a[0]) ? Object.keys(a[0]).length : typeof a[0] === "string" ? a[0].length : 0;
    case "eq":
      return a.slice(1).some((x) => x === a[0]);
    case "ne":
      return a[0] !== a[1];
    case "lt":
      return Number(a[0]) < Number(a[1]);
    case "le":
      return Number(a[0]) <= Number(a[1]);
    case "gt":
      return Number(a[0]) > Number(a[1]);
    case "ge":
      return Number(a[0]) >= Number(a[1]);
    case "not":
      return !truthy(a[0]);
    case "and":
      return a.find((x) => !truthy(x)) ?? a[a.length - 1];
    case "or":
      return a.find((x) => truthy(x)) ?? a[a.length - 1];
    default:
      throw new TemplateError(`template: function "${name}" not defined`);
  }
}

function sprintf(fmt: string, args: unknown[]): string {
  let i = 0;
  return fmt.replace(/%([-0-9]*)([svdqt%])/g, (_m, width: string, verb: string) => {
    if (verb === "%") return "%";
    const v = args[i++];
    const s = verb === "q" ? JSON.stringify(show(v)) : verb === "d" ? String(Math.trunc(Number(v))) : show(v);
    const w = Number(width.replace("-", "") || 0);
    return width.startsWith("-") ? s.padEnd(w) : s.padStart(w);
  });
}

function truthy(v: unknown): boolean {
  if (v === MISSING || v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's %v. */
function show(v: unknown): string {
  if (v === MISSING || v === undefined) return NO_VALUE;
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  if (isObject(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${show(v[k])}`)
      .join(" ")}]`;
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? "slice" : v === null ? "nil" : typeof v;
}
