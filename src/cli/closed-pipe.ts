/**
 * When the reader of stdout (or stderr) goes away early (`berth ps | head -1`,
 * `berth system info | true`), Node emits EPIPE as an 'error' event, which
 * unhandled prints a stack trace and kills the process mid-way. Here further
 * output to that stream is dropped instead and the command finishes what it
 * was doing, then exits as it would have: no trace, no half-done change.
 */
export function dropOutputOnClosedPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      // nothing reads it any more: later writes are no-ops
      s.write = (() => true) as typeof s.write;
    });
  }
}
