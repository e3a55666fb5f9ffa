import { sprintf } from "./go-template-printf.js";
import { formatValue, goType, isMap, isMissing, isTrue, mapKeys, toJson } from "./go-template-value.js";

/** A failed function call. `plain` errors print as is; others as Go's "error calling NAME: ...". */
export class CallError extends Error {
  constructor(
    message: string,
    readonly plain = false,
  ) {
    super(message);
  }
}

interface Func {
  readonly min: number;
  readonly max: number;
  readonly call: (args: readonly unknown[]) => unknown;
}

const ANY = Number.POSITIVE_INFINITY;
const fn = (min: number, max: number, call: (args: readonly unknown[]) => unknown): Func => ({ min, max, call });

/** Go's builtins and Podman's extra template functions (containers/common pkg/report). */
const FUNCS: Readonly<Record<string, Func>> = {
  // and/or are evaluated lazily by the executor; these handle already evaluated arguments.
  and: fn(1, ANY, (a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1]),
  or: fn(1, ANY, (a) => a.find((x) => isTrue(x)) ?? a[a.length - 1]),
  not: fn(1, 1, (a) => !isTrue(a[0])),
  len: fn(1, 1, ([v]) => length(v)),
  index: fn(1, ANY, ([v, ...keys]) => keys.reduce(indexOne, v)),
  slice: fn(1, 4, ([v, ...ix]) => sliceOf(v, ix)),
  print: fn(0, ANY, (a) =>
    a.map(arg).reduce<string>((s, x, i) => s + (i > 0 && typeof x !== "string" && typeof a[i - 1] !== "string" ? " " : "") + formatValue(x), ""),
  ),
  println: fn(0, ANY, (a) => `${a.map((x) => formatValue(arg(x))).join(" ")}\n`),
  printf: fn(1, ANY, ([f, ...a]) => sprintf(str(f), a.map(arg))),
  eq: fn(1, ANY, ([a, ...rest]) => {
    if (rest.length === 0) throw new CallError("missing argument for comparison");
    return rest.some((b) => equal(a, b));
  }),
  ne: fn(2, 2, ([a, b]) => !equal(a, b)),
  lt: fn(2, 2, ([a, b]) => less(a, b)),
  le: fn(2, 2, ([a, b]) => less(a, b) || equal(a, b)),
  gt: fn(2, 2, ([a, b]) => !less(a, b) && !equal(a, b)),
  ge: fn(2, 2, ([a, b]) => !less(a, b)),
  json: fn(1, 1, ([v]) => toJson(v)),
  join: fn(2, 2, ([list, sep]) => stringList(list).join(str(sep))),
  split: fn(2, 2, ([s, sep]) => (str(sep) === "" ? [...str(s)] : str(s).split(str(sep)))),
  lower: fn(1, 1, ([s]) => str(s).toLowerCase()),
  upper: fn(1, 1, ([s]) => str(s).toUpperCase()),
  title: fn(1, 1, ([s]) => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase())),
  pad: fn(3, 3, ([s, before, after]) => " ".repeat(Math.max(0, int(before))) + str(s) + " ".repeat(Math.max(0, int(after)))),
  truncate: fn(2, 2, ([s, n]) => [...str(s)].slice(0, Math.max(0, int(n))).join("")),
};

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCS));

/** Call a template function with evaluated arguments (`undefined`/missing stands for Go's invalid value). */
export function callFunction(name: string, args: readonly unknown[]): unknown {
  const f = FUNCS[name];
  if (!f) throw new CallError(`function "${name}" not defined`, true);
  if (args.length < f.min || args.length > f.max) {
    const want = f.min === f.max ? `${f.min}` : f.max === ANY ? `at least ${f.min}` : `${f.min} to ${f.max}`;
    throw new CallError(`wrong number of args for ${name}: want ${want} got ${args.length}`, true);
  }
  return f.call(args);
}

/** An interface{} argument: Go passes a missing value as nil. */
function arg(v: unknown): unknown {
  return isMissing(v) ? null : v;
}

function str(v: unknown): string {
  if (typeof v === "string") return v;
  throw new CallError(isMissing(v) ? "invalid value; expected string" : `wrong type for value; expected string; got ${goType(v)}`, true);
}

function int(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new CallError(isMissing(v) ? "invalid value; expected int" : `wrong type for value; expected int; got ${goType(v)}`, true);
}

function stringList(v: unknown): string[] {
  if (isMissing(v) || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => formatValue(arg(x)));
  throw new CallError(`wrong type for value; expected []string; got ${goType(v)}`, true);
}

function length(v: unknown): number {
  if (isMissing(v) || v === null) throw new CallError("len of nil pointer");
  if (typeof v === "string") return Buffer.byteLength(v, "utf8");
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return mapKeys(v).length;
  throw new CallError(`len of type ${goType(v)}`);
}

function indexOne(v: unknown, key: unknown): unknown {
  if (isMissing(v) || v === null) throw new CallError("index of untyped nil");
  if (Array.isArray(v) || typeof v === "string") {
    const i = position(key, v.length, "index");
    if (i >= v.length) throw new CallError(`index out of range: ${i}`);
    return typeof v === "string" ? Buffer.from(v, "utf8")[i] : v[i];
  }
  if (isMap(v)) {
    if (typeof key !== "string") throw new CallError(`value has type ${goType(key)}; should be string`);
    const x = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
    return x === undefined ? null : x; // Go: the zero value of the element type, a nil interface
  }
  throw new CallError(`can't index item of type ${goType(v)}`);
}

function sliceOf(v: unknown, ix: readonly unknown[]): unknown {
  if (isMissing(v) || v === null) throw new CallError("slice of untyped nil");
  if (!Array.isArray(v) && typeof v !== "string") throw new CallError(`can't slice item of type ${goType(v)}`);
  if (typeof v === "string" && ix.length > 2) throw new CallError("cannot 3-index slice a string");
  const n = v.length;
  const [lo = 0, hi = n] = ix.slice(0, 2).map((k) => position(k, n, "slice"));
  if (lo > hi) throw new CallError(`invalid slice index: ${lo} > ${hi}`);
  if (hi > n) throw new CallError(`index out of range: ${hi}`);
  return v.slice(lo, hi);
}

function position(key: unknown, cap: number, what: string): number {
  if (isMissing(key) || key === null) throw new CallError(`cannot ${what} slice/array with nil`);
  if (typeof key !== "number" || !Number.isInteger(key)) throw new CallError(`cannot ${what} slice/array with type ${goType(key)}`);
  if (key < 0 || (what === "slice" && key > cap)) throw new CallError(`index out of range: ${key}`);
  return key;
}

type Kind = "bool" | "number" | "string" | "nil" | "other";

function kindOf(v: unknown): Kind {
  if (isMissing(v) || v === null) return "nil";
  if (typeof v === "boolean" || typeof v === "number" || typeof v === "string")
    return typeof v === "boolean" ? "bool" : typeof v === "number" ? "number" : "string";
  return "other";
}

/** Go's eq: basic values of one kind compare; nil equals only nil; mixing kinds is an error. */
function equal(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === "nil" || kb === "nil") return ka === kb;
  if (ka !== kb) throw new CallError("incompatible types for comparison");
  if (ka === "other") throw new CallError(`non-comparable type ${formatValue(a)}: ${goType(a)}`);
  return a === b;
}

function less(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if ((ka !== "number" && ka !== "string") || (kb !== "number" && kb !== "string")) throw new CallError("invalid type for comparison");
  if (ka !== kb) throw new CallError("incompatible types for comparison");
  return (a as number | string) < (b as number | string);
}
