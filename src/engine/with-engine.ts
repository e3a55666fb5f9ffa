import { Engine } from "./context.js";
import { repairInterrupted } from "./commands/repair.js";
import { residentCall } from "./resident.js";

/**
 * Open the engine for one command (a CLI verb, a Podman or CNI call),
 * repair what an interrupted berth process left behind (cheap: one query
 * unless something is broken), run it, and close the engine. In the Berth
 * service the resident engine is used and stays open (engine/resident.ts).
 */
export async function withEngine<T>(fn: (engine: Engine) => Promise<T> | T, opts: { repair?: boolean } = {}): Promise<T> {
  const resident = residentCall();
  const engine = resident?.engine ?? Engine.open();
  try {
    if ((opts.repair ?? true) && (resident?.repair ?? true)) {
      for (const { container: c, problems } of await repairInterrupted(engine)) {
        // the command goes on; what the rollback could not undo is said, not dropped
        for (const p of problems)
          process.stderr.write(`Warning: rolling back interrupted container ${c.name} (${c.id.slice(0, 12)}): ${p}; run \`berth system reconcile\`\n`);
      }
    }
    return await fn(engine);
  } finally {
    if (resident === undefined) engine.close();
  }
}
