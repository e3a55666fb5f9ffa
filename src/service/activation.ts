/** systemd's first passed descriptor (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3;
/** The FileDescriptorName= of contrib/systemd/berth-docker-plugin.socket. */
export const DOCKER_PLUGIN_FD_NAME = "docker-plugin";

/** The listening descriptors systemd passed the service, by what they serve. */
export interface ActivationFds {
  /** The API socket (berth.socket: any name but the plugin's). */
  readonly api?: number;
  /** Docker's plugin socket (berth-docker-plugin.socket). */
  readonly dockerPlugin?: number;
}

/**
 * The descriptors of a socket-activated service (LISTEN_PID, LISTEN_FDS,
 * LISTEN_FDNAMES as sd_listen_fds_with_names(3) reads them), or none when
 * they were meant for another process.
 */
export function activationFds(env: NodeJS.ProcessEnv, pid: number): ActivationFds {
  if (env["LISTEN_PID"] !== String(pid)) return {};
  const n = Number(env["LISTEN_FDS"] ?? 0);
  if (!Number.isInteger(n) || n < 1) return {};
  const names = (env["LISTEN_FDNAMES"] ?? "").split(":");
  let api: number | undefined;
  let dockerPlugin: number | undefined;
  for (let i = 0; i < n; i++) {
    const fd = SD_LISTEN_FDS_START + i;
    if (names[i] === DOCKER_PLUGIN_FD_NAME) dockerPlugin ??= fd;
    else api ??= fd;
  }
  return { ...(api === undefined ? {} : { api }), ...(dockerPlugin === undefined ? {} : { dockerPlugin }) };
}
