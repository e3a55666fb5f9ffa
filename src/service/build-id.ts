import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `dist/build-id`, written by every `npm run build` (scripts/bundle.mjs):
 * a client whose build differs from the running service's replaces the
 * service once it is idle. From a module in dist/src/DIR/ or a bundle
 * beside them alike.
 */
function buildIdFile(): string {
  return fileURLToPath(new URL("../../build-id", import.meta.url));
}

/**
 * The same id, written into each bundle by scripts/bundle.mjs, so that a
 * client's call reads no file for it (undefined in a module compiled by
 * `tsc` alone, which reads the file).
 */
declare const __berthBuildId: string | undefined;

let cached: string | undefined;

/**
 * This installation's build id ("" when there is none: a bare `tsc`).
 * BERTH_BUILD_ID overrides it (the tests start a service that claims to be
 * another build, to see a client replace it).
 */
export function buildId(): string {
  const forced = process.env["BERTH_BUILD_ID"];
  if (forced !== undefined && forced !== "") return forced;
  if (cached === undefined && typeof __berthBuildId === "string") cached = __berthBuildId;
  if (cached === undefined) {
    try {
      cached = readFileSync(buildIdFile(), "utf8").trim();
    } catch {
      cached = "";
    }
  }
  return cached;
}

/** `dist/build-commit`: the git commit Berth was built from (scripts/bundle.mjs), 40 hex digits. */
function buildCommitFile(): string {
  return fileURLToPath(new URL("../../build-commit", import.meta.url));
}

/** The git commit of this build, or 40 zeros when it was built outside a git checkout. */
export function buildCommit(): string {
  try {
    const c = readFileSync(buildCommitFile(), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(c)) return c;
  } catch {
    // not built by scripts/bundle.mjs
  }
  return "0".repeat(40);
}
