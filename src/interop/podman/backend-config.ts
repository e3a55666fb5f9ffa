import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

/** The file beside the backend program that says where Berth keeps its state for Podman. */
export const BACKEND_CONFIG = "berth.conf";

/** The settings `berth.conf` may give: where Berth's state, run files and namespaces are. */
const PATH_KEYS = ["BERTH_ROOT", "BERTH_STATE_DIR", "BERTH_RUN_DIR", "BERTH_NETNS_DIR"] as const;

/**
 * The environment the engine runs with under Podman. Podman does not pass
 * its caller's environment on in every call (conmon runs `podman container
 * cleanup`, and so the teardown, with an environment of its own), so where
 * Berth's state is comes from `berth.conf` in the directory Podman ran the
 * backend from (the helper_binaries_dir entry, the same in every call):
 * when that file exists, its BERTH_* paths replace any in the environment.
 * Without it, the environment's BERTH_* paths are used as by the berth
 * command (for callers that always pass them: tests, benches, netavark's
 * own test suite), else Berth's defaults. `programPath` is the path that
 * was executed, not a symlink's target, so a directory holding a symlink
 * to bin/podman/netavark and its own berth.conf is a backend of its own.
 */
export function backendEnv(programPath: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const file = join(dirname(programPath), BACKEND_CONFIG);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw new BerthError("STATE", `Cannot read ${file}: ${(e as Error).message}`, {
      hint: `Make ${file} readable by root, or remove it to use Berth's default locations`,
    });
  }
  for (const k of PATH_KEYS) delete out[k];
  return { ...out, ...parseBackendConfig(text, file) };
}

/** `KEY=VALUE` lines (blank lines and `#` comments allowed); each value an absolute path. */
export function parseBackendConfig(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    const value = eq < 0 ? "" : line.slice(eq + 1).trim();
    const where = `${file} line ${i + 1}`;
    if (!(PATH_KEYS as readonly string[]).includes(key)) {
      throw new BerthError("INVALID_ARGUMENT", `Unknown setting "${printable(key)}" in ${where}`, {
        hint: `Write KEY=/absolute/path lines with KEY one of ${PATH_KEYS.join(", ")}`,
      });
    }
    if (!isAbsolute(value) || value.includes("\0")) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid ${key} in ${where}: "${printable(value)}" is not an absolute path`, {
        hint: `Write ${key}=/absolute/path`,
      });
    }
    out[key] = value;
  }
  return out;
}
