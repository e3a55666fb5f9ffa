import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { BerthError } from "../errors.js";

/**
 * Pick the OCI runtime: `$BERTH_RUNTIME` (a path or a name on PATH), else
 * runc, else crun.
 */
export function findRuntimeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env["BERTH_RUNTIME"];
  if (wanted) {
    const found = findExecutable(wanted, env);
    if (found) return found;
    throw new BerthError("MISSING_DEPENDENCY", `Cannot use OCI runtime "${wanted}" from BERTH_RUNTIME: no such executable`, {
      hint: "Set BERTH_RUNTIME to the path of runc or crun, or unset it",
    });
  }
  for (const name of ["runc", "crun"]) {
    const found = findExecutable(name, env);
    if (found) return found;
  }
  throw new BerthError("MISSING_DEPENDENCY", "Cannot find an OCI runtime: neither runc nor crun is installed", {
    hint: "Install one: apt-get install runc",
  });
}

/** Resolve a program name the way execvp does (PATH plus the sbin directories root usually has). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (isAbsolute(name) || name.includes("/")) return isExecutable(name) ? name : undefined;
  const dirs = [...(env["PATH"] ?? "").split(delimiter), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
