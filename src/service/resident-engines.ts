import { Engine, setResidentEngineFinder } from "../engine/index.js";
import { berthPaths, type BerthPaths } from "../paths.js";
import { BerthError } from "../errors.js";
import { checkPrivateDirs } from "../private-paths.js";
import { currentRequest } from "./request-context.js";

/**
 * The service's open engines: one per set of state paths a request names
 * (normally exactly one: every client of this socket computed the same run
 * dir; a request may still name another BERTH_RESOLV_CONF or state dir).
 * Opened on first use and kept: the store, the netlink socket and
 * libnftables stay warm between calls.
 */
export class ResidentEngines {
  readonly #engines = new Map<string, Engine>();
  readonly #runDir: string;

  constructor(runDir: string) {
    this.#runDir = runDir;
    // withEngine (engine/with-engine.ts) uses the engine of the request being served
    setResidentEngineFinder(() => {
      const c = currentRequest();
      if (c === undefined) return undefined;
      // only a change defers work: it runs in the change's turn, before the next change
      const later = c.repair ? c.afterReply : undefined;
      return { engine: c.engine(), repair: c.repair, ...(later ? { afterReply: (work: () => void) => later.push(work) } : {}) };
    });
  }

  /** The engine for the paths `env` gives; they must name this service's run dir. */
  forEnv(env: NodeJS.ProcessEnv): Engine {
    const paths = berthPaths(env);
    if (paths.runDir !== this.#runDir) {
      throw new BerthError("STATE", `This Berth service serves the run dir ${this.#runDir}, not ${paths.runDir}`, {
        hint: "Connect to the socket in your own run dir (BERTH_ROOT or BERTH_RUN_DIR decide where it is)",
      });
    }
    const key = keyOf(paths);
    let e = this.#engines.get(key);
    if (e === undefined) {
      checkPrivateDirs(paths, env);
      e = Engine.real(paths);
      this.#engines.set(key, e);
    }
    return e;
  }

  /**
   * Before each change: forget what the engine remembers from earlier
   * calls. Bridge ifindexes: in a process that lives for days another tool
   * may delete or re-make a bridge between two calls, and an ifindex can be
   * reused by another link; one lookup per change is cheap. The runtime
   * binary: it comes from the caller's BERTH_RUNTIME and PATH.
   */
  forgetKernelCaches(): void {
    for (const e of this.#engines.values()) {
      e.bridgeIndexes.clear();
      e.runtime.forgetBinary();
    }
  }

  all(): Engine[] {
    return [...this.#engines.values()];
  }

  close(): void {
    for (const e of this.#engines.values()) e.close();
    this.#engines.clear();
  }
}

function keyOf(p: BerthPaths): string {
  return JSON.stringify([p.stateDir, p.runDir, p.netnsDir, p.hostResolvConf]);
}
