/**
 * The environment for runc/crun and conmon: the caller's, minus variables
 * that would make them talk to someone else (systemd notification and socket
 * activation belong to the berth process, not to its containers).
 */
export function runtimeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  for (const k of ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "_OCI_SYNCPIPE", "_OCI_STARTPIPE"]) delete copy[k];
  return copy;
}
