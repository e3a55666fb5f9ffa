import { BerthError } from "../errors.js";

/** commander helper for repeatable options (--network a --network b). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parse `k=v` pairs (--label, --opt). */
export function keyValues(items: readonly string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new BerthError("INVALID_ARGUMENT", `Invalid ${what} "${item}"`, { hint: `Write ${what} KEY=VALUE` });
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
