import { readFileSync } from "node:fs";
import { BerthError } from "../errors.js";
import { processAlive } from "../process-alive.js";
import type { ServicePaths } from "./paths.js";

/** The service's pid from its pid file, if that process lives. */
export function servicePid(sp: ServicePaths): number | undefined {
  try {
    const pid = Number(readFileSync(sp.pidFile, "utf8").split(" ")[0]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The error a client reports when the service does not answer. */
export function hungError(sp: ServicePaths): BerthError {
  const pid = servicePid(sp);
  return new BerthError("SERVICE_UNAVAILABLE", `The Berth service${pid ? ` (pid ${pid})` : ""} does not answer on ${sp.socket}`, {
    hint: pid
      ? `It may be stopped or hung: \`ps -o stat= -p ${pid}\` shows T when stopped. \`kill ${pid}\` (or \`kill -9 ${pid}\`) ends it; the next berth command starts a new one and repairs interrupted work`
      : `Remove ${sp.socket} if nothing serves it; the next berth command starts the service`,
  });
}
