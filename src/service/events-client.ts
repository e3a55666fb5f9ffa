import { berthPaths } from "../paths.js";
import { call, CallError, replyError } from "./client.js";
import { ensureService } from "./launcher.js";
import { servicePaths } from "./paths.js";
import type { BerthEvent } from "./events.js";

/**
 * `berth events [--format json]`: follow the service's event stream until
 * interrupted, one line per event (as `podman events`): JSON with
 * --format json, else "TIME TYPE STATUS NAME (k=v, ...)".
 */
export async function eventsMain(args: readonly string[]): Promise<number> {
  const fi = args.findIndex((a) => a === "--format" || a.startsWith("--format="));
  const format = fi < 0 ? undefined : args[fi]?.includes("=") ? args[fi]?.split("=")[1] : args[fi + 1];
  const runDir = berthPaths(process.env).runDir;
  await ensureService(runDir);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith("BERTH_") && v !== undefined) env[k] = v;
  try {
    const r = await call(servicePaths(runDir).socket, "events", {
      env,
      silenceMs: 2 ** 31 - 1,
      onEvent: (e) => process.stdout.write(format === "json" ? `${JSON.stringify(e)}\n` : `${line(e as BerthEvent)}\n`),
    });
    if ("error" in r) throw replyError(r.error);
    return 0;
  } catch (e) {
    if (e instanceof CallError && e.failure === "died") return 0;
    throw e;
  }
}

function line(e: BerthEvent): string {
  const attrs = Object.entries(e.Attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return `${e.Time} ${e.Type} ${e.Status} ${e.Name} (${attrs})`;
}
