import { Engine, repairInterrupted } from "../engine/index.js";

/**
 * Open the engine for one CLI verb, repair what an interrupted berth process
 * left behind (cheap: one query unless something is broken), run the verb,
 * and close the engine.
 */
export async function withEngine<T>(fn: (engine: Engine) => Promise<T> | T, opts: { repair?: boolean } = {}): Promise<T> {
  const engine = Engine.open();
  try {
    if (opts.repair ?? true) await repairInterrupted(engine);
    return await fn(engine);
  } finally {
    engine.close();
  }
}
