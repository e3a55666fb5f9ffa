// bin/berth-service's program: the service itself, or `--ensure` (start it unless it runs this build).
import { berthPaths } from "../paths.js";
import { isBerthError, messageOf } from "../errors.js";
import { ensureService } from "./launcher.js";

export { serviceMain } from "./main.js";

/** `berth-service --ensure`: exit 0 once this build's service answers; else the error and hint on stderr, exit 1. */
export async function ensureMain(): Promise<number> {
  try {
    await ensureService(berthPaths(process.env).runDir, process.env);
    return 0;
  } catch (e) {
    process.stderr.write(`Error: ${messageOf(e)}\n`);
    if (isBerthError(e) && e.hint) process.stderr.write(`Hint: ${e.hint}\n`);
    return 1;
  }
}
