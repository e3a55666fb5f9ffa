import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

/**
 * Strict readers for the JSON bodies dockerd sends a plugin: each names
 * the field it rejects, so a reply's error says what was wrong.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

function bad(what: string, why: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Invalid Docker plugin request: ${what} ${why}`, {
    hint: "This request did not come from a dockerd that speaks the libnetwork remote driver protocol",
  });
}

/** The body as an object (an empty body is an empty object: Plugin.Activate has none). */
export function parseBody(text: string): JsonObject {
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad("body", `is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return objectOf(v, "body");
}

export function objectOf(v: unknown, what: string): JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(what, "is not an object");
  return v as JsonObject;
}

/** An optional object: null and absent are empty. */
export function optObject(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  return v === undefined || v === null ? {} : objectOf(v, key);
}

export function str(o: JsonObject, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw bad(key, v === undefined ? "is missing" : "is not a string");
  return v;
}

/** An optional string: absent, null and "" are undefined. */
export function optStr(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw bad(key, "is not a string");
  return v;
}

export function optBool(o: JsonObject, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  // driver options arrive as strings ("true") when given with -o
  if (v === "true" || v === "false") return v === "true";
  throw bad(key, `is not a boolean ("${printable(String(v))}")`);
}

export function int(o: JsonObject, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad(key, `is not a whole number from ${min} to ${max}`);
  return v;
}

export function optArray(o: JsonObject, key: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(key, "is not an array");
  return v;
}

/** A map of string options (IPAM `Options`, a network's generic options). */
export function stringMap(o: JsonObject, key: string): Readonly<Record<string, string>> {
  const m = optObject(o, key);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    else throw bad(`${key}.${k}`, "is not a string");
  }
  return out;
}

/** A Docker object id: 64 lowercase hex digits. */
export function dockerId(o: JsonObject, key: string): string {
  const v = str(o, key);
  if (!/^[0-9a-f]{64}$/.test(v)) throw bad(key, `is not a Docker id ("${printable(v.slice(0, 80))}")`);
  return v;
}
