import { formatNumber, formatValue, goType, isMissing } from "./go-template-value.js";

interface Spec {
  readonly minus: boolean;
  readonly plus: boolean;
  readonly zero: boolean;
  readonly space: boolean;
  readonly sharp: boolean;
  readonly width: number | undefined;
  readonly prec: number | undefined;
}

const DIRECTIVE = /%([-+# 0]*)([0-9]+)?(?:\.([0-9]*))?(.|$)/gsu;

/** Go's fmt.Sprintf for the verbs people use in templates: %v %s %d %q %t %x %X %o %b %c %f %e %g and %%. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let next = 0;
  const out = format.replace(DIRECTIVE, (_m, flags: string, width?: string, prec?: string, verb = "") => {
    if (verb === "%") return "%";
    if (verb === "") return "%!(NOVERB)";
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const spec: Spec = {
      minus: flags.includes("-"),
      plus: flags.includes("+"),
      zero: flags.includes("0") && !flags.includes("-"),
      space: flags.includes(" "),
      sharp: flags.includes("#"),
      width: width === undefined ? undefined : Number(width),
      prec: prec === undefined ? undefined : Number(prec || 0),
    };
    const arg = args[next++];
    return pad(verbOf(verb, arg, spec), spec, typeof arg === "number");
  });
  if (next < args.length)
    return `${out}%!(EXTRA ${args
      .slice(next)
      .map((a) => `${goType(a)}=${formatValue(a)}`)
      .join(", ")})`;
  return out;
}

function verbOf(verb: string, arg: unknown, spec: Spec): string {
  const v = isMissing(arg) ? null : arg;
  const bad = () => (v === null ? `%!${verb}(<nil>)` : `%!${verb}(${goType(v)}=${formatValue(v)})`);
  switch (verb) {
    case "v":
      return typeof v === "number" ? sign(formatNumber(v), spec) : formatValue(v);
    case "s":
      if (typeof v === "string") return spec.prec === undefined ? v : [...v].slice(0, spec.prec).join("");
      return typeof v === "object" && v !== null ? formatValue(v) : bad();
    case "q":
      if (typeof v === "string") return JSON.stringify(v);
      return typeof v === "number" && Number.isInteger(v) ? `'${String.fromCodePoint(v)}'` : bad();
    case "t":
      return typeof v === "boolean" ? String(v) : bad();
    case "d":
    case "o":
    case "b":
    case "c": {
      if (typeof v !== "number" || !Number.isInteger(v)) return bad();
      if (verb === "c") return String.fromCodePoint(v);
      const digits = Math.abs(v).toString(verb === "d" ? 10 : verb === "o" ? 8 : 2);
      return sign(`${v < 0 ? "-" : ""}${digits}`, spec);
    }
    case "x":
    case "X": {
      let s: string;
      if (typeof v === "string") s = Buffer.from(v, "utf8").toString("hex");
      else if (typeof v === "number" && Number.isInteger(v)) s = `${v < 0 ? "-" : ""}${spec.sharp ? "0x" : ""}${Math.abs(v).toString(16)}`;
      else return bad();
      return verb === "X" ? s.toUpperCase() : s;
    }
    case "f":
    case "F":
    case "e":
    case "E":
    case "g":
    case "G": {
      if (typeof v !== "number") return bad();
      const p = spec.prec;
      const lower = verb.toLowerCase();
      let s = lower === "f" ? v.toFixed(p ?? 6) : lower === "e" ? v.toExponential(p ?? 6) : p === undefined ? formatNumber(v) : v.toPrecision(p || 1);
      s = s.replace(/e([+-])(\d)$/, "e$10$2");
      return sign(verb === verb.toUpperCase() ? s.toUpperCase() : s, spec);
    }
    default:
      return bad();
  }
}

function sign(s: string, spec: Spec): string {
  if (s.startsWith("-")) return s;
  return spec.plus ? `+${s}` : spec.space ? ` ${s}` : s;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + " ".repeat(w - len);
  if (spec.zero && numeric && /^[-+ ]/.test(s)) return s[0] + "0".repeat(w - len) + s.slice(1);
  return (spec.zero && numeric ? "0" : " ").repeat(w - len) + s;
}
