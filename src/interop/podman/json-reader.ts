import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

/**
 * Typed access to an untrusted JSON document: each getter names the field's
 * path in its error, so a bad input says exactly which value to fix.
 */
export class JsonReader {
  constructor(
    readonly value: unknown,
    readonly path: string,
  ) {}

  static parse(text: string, what: string): JsonReader {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot read the ${what}: it is not valid JSON (${e instanceof Error ? e.message : String(e)})`, {
        hint: "Pass one JSON document on stdin, as Podman does",
      });
    }
    return new JsonReader(v, "");
  }

  #fail(expected: string): never {
    const got = this.value === undefined ? "nothing" : printable(JSON.stringify(this.value) ?? String(this.value));
    throw new BerthError("INVALID_ARGUMENT", `Invalid ${this.path || "input"}: expected ${expected}, got ${got}`, {
      hint: "Check the JSON the caller sent against netavark's NetworkOptions format",
    });
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** A field of this object; a field of an absent object is absent too. */
  field(name: string): JsonReader {
    const sub = this.path ? `${this.path}.${name}` : name;
    if (!this.present) return new JsonReader(undefined, sub);
    const obj = this.object();
    return new JsonReader(Object.hasOwn(obj, name) ? obj[name] : undefined, sub);
  }

  object(): Record<string, unknown> {
    if (typeof this.value !== "object" || this.value === null || Array.isArray(this.value)) this.#fail("an object");
    return this.value as Record<string, unknown>;
  }

  /** The entries of an object (an absent or null field reads as empty). */
  entries(): [string, JsonReader][] {
    if (!this.present) return [];
    return Object.keys(this.object()).map((k) => [k, this.field(k)]);
  }

  /** The items of an array (an absent or null field reads as empty). */
  items(): JsonReader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.#fail("an array");
    return this.value.map((v, i) => new JsonReader(v, `${this.path}[${i}]`));
  }

  string(): string {
    if (typeof this.value !== "string") this.#fail("a string");
    return this.value;
  }

  optionalString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  boolean(fallback?: boolean): boolean {
    if (!this.present && fallback !== undefined) return fallback;
    if (typeof this.value !== "boolean") this.#fail("true or false");
    return this.value;
  }

  /** A whole number in [min, max]. */
  integer(min: number, max: number, fallback?: number): number {
    if (!this.present && fallback !== undefined) return fallback;
    if (typeof this.value !== "number" || !Number.isInteger(this.value) || this.value < min || this.value > max)
      this.#fail(`a whole number from ${min} to ${max}`);
    return this.value;
  }

  strings(): string[] {
    return this.items().map((i) => i.string());
  }
}
