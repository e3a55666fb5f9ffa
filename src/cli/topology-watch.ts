/**
 * `berth topology --watch`: draw a frame now and again whenever `next()`
 * has a new one, every `intervalMs`, until SIGINT or SIGTERM, or until
 * the reader of stdout goes away (EPIPE). On a terminal each frame
 * replaces the last; into a pipe each frame is written after the last.
 */
export function watchFrames(next: () => string | undefined, intervalMs: number, out: NodeJS.WriteStream = process.stdout): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      out.off("error", onError);
      if (out.isTTY) out.write("\n");
      resolve();
    };
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") stop();
    };
    out.on("error", onError);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const tick = () => {
      if (stopped) return;
      const frame = next();
      if (frame !== undefined) {
        const stamp = new Date().toTimeString().slice(0, 8);
        out.write(out.isTTY ? `\x1b[H\x1b[2J${frame}-- updated ${stamp}; Ctrl-C quits\n` : `${frame}\n`);
      }
      timer = setTimeout(tick, intervalMs);
    };
    tick();
  });
}
