/**
 * The environment a change runs with. A berth command's behaviour depends
 * on its caller's environment (BERTH_RUNTIME, PATH for conmon and runc,
 * `run -e NAME` taking NAME's value, BERTH_FAULT in the crash tests), and
 * the runtimes Berth starts inherit it. Changes run one at a time, so the
 * service swaps process.env (and the working directory, for relative
 * paths such as `--env-file`) to the caller's for the length of a change
 * and puts its own back after. Reads keep the service's environment.
 */
export function applyCallerEnv(env: Readonly<Record<string, string>>, cwd: string | undefined): () => void {
  const saved = { ...process.env };
  // the service works from "/" (main.ts): its own directory can never vanish under it
  const savedCwd = "/";
  replaceEnv(env);
  if (cwd !== undefined) {
    try {
      process.chdir(cwd);
    } catch {
      // the caller's directory is gone or not ours to enter: relative paths fail as they would
    }
  }
  return () => {
    replaceEnv(saved);
    process.chdir(savedCwd);
  };
}

function replaceEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined && process.env[k] !== v) process.env[k] = v;
}

/**
 * What a runtime's call reads of its environment: Berth's settings, CNI's
 * variables, RUST_LOG (the log level Podman gives netavark) and
 * DBUS_SYSTEM_BUS_ADDRESS (the bus firewalld is asked on, as netavark
 * reads it). Nothing else is forwarded.
 */
export function isAdapterVariable(name: string): boolean {
  return name.startsWith("BERTH_") || name.startsWith("CNI_") || name === "RUST_LOG" || name === "DBUS_SYSTEM_BUS_ADDRESS";
}

/**
 * A runtime's call's environment: the service's own (PATH and the like),
 * with the BERTH_* and CNI_* variables exactly as the caller had them.
 */
export function adapterEnv(own: NodeJS.ProcessEnv, caller: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(own)) if (v !== undefined && !isAdapterVariable(k)) out[k] = v;
  for (const [k, v] of Object.entries(caller)) if (isAdapterVariable(k)) out[k] = v;
  return out;
}
