import type { Engine } from "../context.js";
import { BerthError } from "../../errors.js";
import { requireContainer } from "../network/network-lookup.js";
import { refuseForeign } from "../sandbox/foreign.js";

/** How `berth exec` runs its command. */
export interface ContainerExecOptions {
  /** Allocate a terminal. */
  readonly tty: boolean;
  /** Pass stdin through. */
  readonly interactive: boolean;
  /** Extra `KEY=value` entries on top of the container's environment. */
  readonly env?: readonly string[];
}

/**
 * `berth exec NAME CMD...`: run a command in a running container, its
 * output inherited; returns the command's exit code.
 */
export async function execContainer(engine: Engine, nameOrId: string, command: readonly string[], opts: ContainerExecOptions): Promise<number> {
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "exec");
  if (c.status !== "running") {
    throw new BerthError("CONTAINER_NOT_RUNNING", `Cannot exec in container "${c.name}": it is not running`, {
      hint: "Start a new container with `berth run -d ...`",
    });
  }
  const r = await engine.runtime.exec(c.id, command, { tty: opts.tty, interactive: opts.interactive, ...(opts.env ? { env: opts.env } : {}) });
  return r.exitCode;
}
