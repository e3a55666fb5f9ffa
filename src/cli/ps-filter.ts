import { BerthError } from "../errors.js";
import type { Container } from "../model/container.js";
import { printable } from "../model/names.js";

export interface PsFilter {
  readonly key: "name" | "network" | "status" | "label" | "id";
  readonly value: string;
}

const KEYS = ["name", "network", "status", "label", "id"] as const;
const STATUSES = ["created", "running", "exited", "removing"];

/** `--filter KEY=VALUE` values as Podman takes them; an unknown key or status is an error. */
export function parsePsFilters(list: readonly string[]): PsFilter[] {
  return list.map((text) => {
    const eq = text.indexOf("=");
    const key = text.slice(0, eq) as PsFilter["key"];
    const value = text.slice(eq + 1);
    if (eq < 0 || !KEYS.includes(key)) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid --filter "${printable(text)}"`, { hint: `Filter by ${KEYS.map((k) => `${k}=...`).join(", ")}` });
    }
    if (key === "status" && !STATUSES.includes(value)) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid --filter status "${printable(value)}"`, { hint: `Use one of ${STATUSES.join(", ")}` });
    }
    if (key === "name") {
      try {
        new RegExp(value);
      } catch {
        throw new BerthError("INVALID_ARGUMENT", `Invalid --filter name "${printable(value)}": not a regular expression`, {
          hint: "Example: --filter name=^web",
        });
      }
    }
    return { key, value };
  });
}

/** Podman's status words: a container never started is "created". */
export function psStatus(c: Container): string {
  if (c.status === "exited") return c.started === undefined ? "created" : "exited";
  return c.status === "creating" ? "created" : c.status;
}

/**
 * Podman's rule: filters with different keys must all match; values given
 * for the same key match if any does. `name` is a regular expression
 * (as Podman: `name=web` also matches `web2`), `id` a prefix.
 */
export function psFilterMatches(
  filters: readonly PsFilter[],
  c: { name: string; id: string; networks: readonly string[]; status: string; labels: Readonly<Record<string, string>> },
): boolean {
  const byKey = new Map<string, PsFilter[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
  return [...byKey.values()].every((fs) =>
    fs.some((f) => {
      switch (f.key) {
        case "name":
          return new RegExp(f.value).test(c.name);
        case "id":
          return c.id.startsWith(f.value);
        case "network":
          return c.networks.includes(f.value);
        case "status":
          return c.status === f.value;
        case "label": {
          const eq = f.value.indexOf("=");
          return eq < 0 ? f.value in c.labels : c.labels[f.value.slice(0, eq)] === f.value.slice(eq + 1);
        }
      }
      return false;
    }),
  );
}
