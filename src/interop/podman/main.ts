import { readFileSync } from "node:fs";
import { backendEnv } from "./backend-config.js";
import { mark, netavarkCall, netavarkError, readInputFrom } from "./netavark-call.js";

/**
 * `netavark` for Podman, backed by Berth, in a process of its own (the
 * development path; bin/podman/netavark normally hands the call to the
 * Berth service, see docs/api.md): argv and stdin in netavark's format, the
 * reply as netavark's JSON on stdout (netavark-call.ts). Nothing else ever
 * goes to stdout. The engine is loaded only for the verbs that need it.
 */
export async function netavarkMain(argv: readonly string[], programPath?: string): Promise<number> {
  mark("main");
  // the same state in every call, whatever environment Podman (or conmon) passed on
  if (programPath !== undefined && !argv.includes("version") && !argv.includes("--version")) {
    try {
      const env = backendEnv(programPath, process.env);
      for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
      Object.assign(process.env, env);
    } catch (e) {
      process.stdout.write(netavarkError(e));
      return 1;
    }
  }
  const out = await netavarkCall(
    argv,
    programPath,
    readInputFrom(() => readFileSync(0, "utf8")),
  );
  process.stdout.write(out.stdout);
  mark("done");
  return out.exitCode;
}
