import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { containerRunDir } from "../../paths.js";

/**
 * The last step of removing a container, whatever removed it (rm, --rm,
 * a failed run, crash repair): its row (leases and ports go with it), its
 * runtime files, and the exit file conmon wrote.
 */
export function forgetContainer(engine: Engine, id: string): void {
  engine.store.write(() => engine.store.containers.delete(id));
  rmSync(containerRunDir(engine.paths, id), { recursive: true, force: true });
  rmSync(join(engine.paths.exitDir, id), { force: true });
}
