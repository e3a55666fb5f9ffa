import { join } from "node:path";

/** The Berth service's files, all in the run dir (root's, 0700: see private-paths.ts). */
export interface ServicePaths {
  /** The API socket (mode 0600). */
  readonly socket: string;
  /** "PID BUILD\n" of the serving process, written once it listens. */
  readonly pidFile: string;
  /** flock held by the serving process for its whole life: one service per run dir. */
  readonly lock: string;
  /** flock held by a client while it starts (or replaces) the service: one starter at a time. */
  readonly startLock: string;
  /** The service's stdout and stderr. */
  readonly log: string;
}

export function servicePaths(runDir: string): ServicePaths {
  return {
    socket: join(runDir, "berth.sock"),
    pidFile: join(runDir, "service.pid"),
    lock: join(runDir, "service.lock"),
    startLock: join(runDir, "service.starting"),
    log: join(runDir, "service.log"),
  };
}
