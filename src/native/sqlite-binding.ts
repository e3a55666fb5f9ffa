import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * The path of better-sqlite3's compiled addon, for its `nativeBinding`
 * option: without it, better-sqlite3 finds the addon through the `bindings`
 * package, which stats a dozen candidate paths on every process start.
 * Undefined when the package is laid out differently (then better-sqlite3
 * searches as usual).
 */
export function sqliteNativeBinding(): string | undefined {
  try {
    return require.resolve("better-sqlite3/build/Release/better_sqlite3.node");
  } catch {
    return undefined;
  }
}
