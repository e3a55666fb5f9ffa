import { SUPPORTED_VERSIONS } from "./spec.js";
import { CniErrorCode } from "./spec.js";

/** The newest version the plugin speaks (answered when the runtime names none). */
export const NEWEST_VERSION = SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1] ?? "1.1.0";

/** What VERSION prints, and its exit code. */
export interface VersionAnswer {
  readonly body: Record<string, unknown>;
  readonly exitCode: number;
}

/**
 * The answer to VERSION. The runtime's stdin names the version it speaks
 * (`{"cniVersion": "1.0.0"}`): one the plugin speaks too is echoed with
 * `supportedVersions`; any other is the spec's error 1, "incompatible CNI
 * version", still carrying `supportedVersions` so the runtime (or its
 * operator) sees what would work. Stdin without a version (older runtimes
 * sent nothing) gets the plain list in the newest version.
 */
export function versionAnswer(stdin: string): VersionAnswer {
  const supportedVersions = [...SUPPORTED_VERSIONS];
  const asked = askedVersion(stdin);
  if (asked === undefined) return { body: { cniVersion: NEWEST_VERSION, supportedVersions }, exitCode: 0 };
  if ((SUPPORTED_VERSIONS as readonly string[]).includes(asked)) return { body: { cniVersion: asked, supportedVersions }, exitCode: 0 };
  const printable = JSON.stringify(asked).slice(0, 80);
  return {
    body: {
      // the error in a version the runtime can read: its own when it looks like one, else the newest
      cniVersion: SEMVER.test(asked) ? asked : NEWEST_VERSION,
      code: CniErrorCode.INCOMPATIBLE_VERSION,
      msg: "incompatible CNI version",
      details: `the runtime speaks CNI ${printable}; this plugin supports ${supportedVersions.join(", ")}`,
      supportedVersions,
    },
    exitCode: 1,
  };
}

const SEMVER = /^\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The `cniVersion` stdin names; undefined when stdin is empty or names none. A value that is no string counts as asked. */
function askedVersion(stdin: string): string | undefined {
  if (stdin.trim() === "") return undefined;
  let o: unknown;
  try {
    o = JSON.parse(stdin);
  } catch {
    return stdin.trim().slice(0, 80);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return String(o);
  const v = (o as Record<string, unknown>)["cniVersion"];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}
