/**
 * How Go's text/template sees JavaScript values: objects are maps, arrays are slices,
 * `undefined` (and a missing key) is Go's "no value", `null` is nil.
 */

/** A missing map key or field: prints as `<no value>`. */
export const MISSING: unique symbol = Symbol("no value");
export type Missing = typeof MISSING;

export function isMissing(v: unknown): v is Missing | undefined {
  return v === MISSING || v === undefined;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Marks an object that plays a Go struct: a field it lacks is an error, not "no value". */
const STRUCT_TYPE: unique symbol = Symbol("Go struct type");

/**
 * An object that plays a Go struct of type `typeName`: its own keys are the
 * only fields (`{{.Other}}` fails, as with Podman's structs), `%v` prints its
 * values in order as `{a b}`. The mark is a symbol, so JSON never sees it.
 */
export function goStruct<T extends Record<string, unknown>>(typeName: string, fields: T): T {
  Object.defineProperty(fields, STRUCT_TYPE, { value: typeName, enumerable: false });
  return fields;
}

/** The struct type name of a value made by goStruct(); undefined for anything else. */
export function structType(v: unknown): string | undefined {
  if (!isMap(v)) return undefined;
  const t = (v as { [STRUCT_TYPE]?: unknown })[STRUCT_TYPE];
  return typeof t === "string" ? t : undefined;
}

/** Keys of a map in Go's iteration/print order (sorted), skipping `undefined` values like JSON does. */
export function mapKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m)
    .filter((k) => m[k] !== undefined)
    .sort();
}

/** Go's template truth: false, 0, nil, empty string/slice/map and "no value" are false. */
export function isTrue(v: unknown): boolean {
  if (isMissing(v) || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return mapKeys(v).length > 0;
  return !(typeof v === "number" && Number.isNaN(v));
}

/** The Go type a value plays, for error messages: `string`, `int`, `[]interface {}`... */
export function goType(v: unknown): string {
  if (isMissing(v)) return "<no value>";
  if (v === null) return "<nil>";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (typeof v === "boolean" || typeof v === "string") return typeof v === "boolean" ? "bool" : "string";
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof Date) return "time.Time";
  const st = structType(v);
  if (st !== undefined) return st;
  if (isMap(v)) return "map[string]interface {}";
  return typeof v;
}

/** Go's fmt %v: strings raw, `[a b]` for slices, `map[k:v]` for maps, `<nil>` for nil. */
export function formatValue(v: unknown): string {
  return isMissing(v) ? "<no value>" : inner(v);
}

function inner(v: unknown): string {
  if (isMissing(v) || v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(" ")}]`;
  if (v instanceof Date) return formatTime(v);
  if (structType(v) !== undefined)
    return `{${Object.values(v as Record<string, unknown>)
      .map(inner)
      .join(" ")}}`;
  if (isMap(v))
    return `map[${mapKeys(v)
      .map((k) => `${k}:${inner(v[k])}`)
      .join(" ")}]`;
  return String(v);
}

/** Integers print plainly; other numbers like Go's %v for float64 (%g, exponent from 1e+06 or below 1e-04). */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mant = "", exp = "0"] = n.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 21 || (!Number.isInteger(n) && e >= 6)) return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return String(n);
}

/** Go's time.Time String(), in UTC: `2024-05-01 10:00:00.5 +0000 UTC`. */
export function formatTime(d: Date): string {
  const iso = d.toISOString(); // 2024-05-01T10:00:00.500Z
  const frac = iso.slice(19, 23).replace(/\.?0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** Go's encoding/json without HTML escaping (as Podman's `json` function): compact, U+2028/2029 escaped. */
export function toJson(v: unknown): string {
  const text = JSON.stringify(isMissing(v) ? null : v) ?? "null";
  return text.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
