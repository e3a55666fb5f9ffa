import { toCniError } from "./cni-error.js";
import { parseConfig, parseEnvironment, peekVersion, type BerthCniConfig, type CniEnvironment } from "./request.js";
import { buildResult, type AttachedInterface } from "./result.js";
import type { CniResult, CniValidAttachment } from "./spec.js";
import { versionAnswer } from "./version-answer.js";

/** What the plugin asks of Berth; engine-backend.ts implements it on the engine. */
export interface CniBackend {
  add(env: Required<Pick<CniEnvironment, "containerId" | "ifname" | "netns">> & CniEnvironment, config: BerthCniConfig): Promise<AttachedInterface>;
  /**
   * Tear down the container's `ifname` (its identity with the container id), needing
   * nothing from the configuration. Idempotent: succeeds when it is already gone.
   */
  del(env: Required<Pick<CniEnvironment, "containerId" | "ifname">> & CniEnvironment): Promise<void>;
  /** Throws a CniError when the attachment is not as ADD left it. */
  check(
    env: Required<Pick<CniEnvironment, "containerId" | "ifname" | "netns">> & CniEnvironment,
    config: BerthCniConfig,
    prev: CniResult | undefined,
  ): Promise<void>;
  /** Throws CniError 50/51 when Berth cannot take ADDs on this node. */
  status(config: BerthCniConfig): Promise<void>;
  /** Detach every attachment of this network not in `valid`; returns how many went. */
  gc(config: BerthCniConfig, valid: readonly CniValidAttachment[]): Promise<number>;
}

export interface PluginOutcome {
  readonly stdout: string;
  readonly exitCode: number;
}

/**
 * One plugin invocation: CNI_* environment and stdin in, the spec's JSON
 * result (or error) and exit code out. Nothing here touches the kernel;
 * the backend is loaded only for commands that need it, so VERSION and
 * bad input answer fast.
 */
export async function runCniPlugin(env: NodeJS.ProcessEnv, stdin: string, loadBackend: () => Promise<CniBackend>): Promise<PluginOutcome> {
  const answerVersion = peekVersion(stdin);
  try {
    const e = parseEnvironment(env);
    if (e.command === "VERSION") {
      const v = versionAnswer(stdin);
      return { stdout: `${JSON.stringify(v.body)}\n`, exitCode: v.exitCode };
    }
    if (e.command === "DEL") {
      // best effort (the spec's rule for DEL): the configuration is not read, so a
      // configuration that changed or no longer parses cannot leave a pod stuck
      await (await loadBackend()).del(e as Parameters<CniBackend["del"]>[0]);
      return { stdout: "", exitCode: 0 };
    }
    const config = parseConfig(stdin, e.command);
    const backend = await loadBackend();
    switch (e.command) {
      case "ADD": {
        const a = await backend.add(e as Parameters<CniBackend["add"]>[0], config);
        return ok(buildResult(config.cniVersion, a, config.prevResult, config.runtimeDns ?? config.dns));
      }
      case "CHECK":
        await backend.check(e as Parameters<CniBackend["check"]>[0], config, config.prevResult);
        return { stdout: "", exitCode: 0 };
      case "STATUS":
        await backend.status(config);
        return { stdout: "", exitCode: 0 };
      case "GC":
        await backend.gc(config, config.validAttachments ?? []);
        return { stdout: "", exitCode: 0 };
    }
  } catch (err) {
    const ce = toCniError(err);
    return { stdout: `${JSON.stringify(ce.toResult(answerVersion))}\n`, exitCode: 1 };
  }
}

function ok(v: unknown): PluginOutcome {
  return { stdout: `${JSON.stringify(v)}\n`, exitCode: 0 };
}
