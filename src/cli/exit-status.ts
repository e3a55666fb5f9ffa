import { AsyncLocalStorage } from "node:async_hooks";

/** The exit code a command chose (a verb that succeeds but reports "not found" or problems sets 1). */
interface CommandStatus {
  exitCode: number | undefined;
}

/**
 * One status per command run, so that commands served side by side in one
 * process (the Berth service runs the CLI for its thin clients) do not
 * share `process.exitCode`.
 */
const current = new AsyncLocalStorage<CommandStatus>();

/** Set the running command's exit code. */
export function setExitCode(code: number): void {
  const s = current.getStore();
  if (s) s.exitCode = code;
  else process.exitCode = code;
}

/** Run one command; returns what it returned and the exit code it set, if any. */
export async function withCommandStatus<T>(fn: () => Promise<T>): Promise<{ value: T; exitCode: number | undefined }> {
  const status: CommandStatus = { exitCode: undefined };
  const value = await current.run(status, fn);
  return { value, exitCode: status.exitCode };
}
