import { constants } from "node:os";
import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";
import { requireContainer } from "../network/network-lookup.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { markStoppedByUser } from "./container-start.js";
import { sleep } from "../../runtime/process-alive.js";

/** KILL, SIGKILL, kill or 9 -> "SIGKILL"; anything else is an error before any signal is sent. */
export function parseSignal(text: string): string {
  const signals = constants.signals as Record<string, number>;
  if (/^\d+$/.test(text)) {
    const name = Object.keys(signals).find((k) => signals[k] === Number(text));
    if (name) return name;
  } else {
    const up = text.toUpperCase();
    const name = up.startsWith("SIG") ? up : `SIG${up}`;
    if (signals[name] !== undefined) return name;
  }
  throw new BerthError("INVALID_ARGUMENT", `Invalid signal "${printable(text)}"`, {
    hint: "Give a name or number, e.g. -s TERM, -s SIGHUP or -s 9 (see `kill -l`)",
  });
}

/**
 * `berth kill [-s SIGNAL] NAME`: send the signal (default SIGKILL) to the
 * container's process. Its exit, if the signal ends it, is recorded by conmon
 * as any exit is; a restart policy does not start it again (as Podman).
 */
export async function killContainer(engine: Engine, nameOrId: string, signal = "SIGKILL"): Promise<Container> {
  const sig = parseSignal(signal);
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "kill");
  if (c.status !== "running") {
    throw new BerthError("CONTAINER_NOT_RUNNING", `Cannot kill container "${c.name}": it is not running`, { hint: `Start it with \`berth start ${c.name}\`` });
  }
  markStoppedByUser(engine, c.id);
  await engine.runtime.kill(c.id, sig);
  return c;
}

/** `berth wait NAME`: block until the container has exited; its exit code. */
export async function waitContainer(engine: Engine, nameOrId: string, pollMs = 100): Promise<number> {
  const c = requireContainer(engine, nameOrId);
  for (;;) {
    const cur = engine.store.containers.byId(c.id);
    if (!cur) throw new BerthError("CONTAINER_NOT_FOUND", `Container "${c.name}" was removed while waiting for it`, { hint: "Its exit code is gone with it" });
    if (cur.status === "exited") return cur.exitCode ?? 0;
    await sleep(pollMs);
  }
}
