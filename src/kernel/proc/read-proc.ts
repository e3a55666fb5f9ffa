import { readFileSync } from "node:fs";

/** A /proc (or /sys) file's trimmed text, or undefined when it is missing (module not loaded) or unreadable. */
export function readProcValue(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}
