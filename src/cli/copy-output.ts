import { writeSync } from "node:fs";
import { dropOutputOnClosedPipe } from "./closed-pipe.js";

/**
 * Copy bytes to stdout (fd 1) or stderr (fd 2) with plain write(2) calls.
 * The first use of `process.stdout` builds a stream for it, which on a pipe
 * or a terminal loads `node:net` and its machinery: ~2 ms of a ~25 ms
 * `berth ps` (bench/README.md). A reader that went away (`berth ps | head
 * -1`) drops the rest, as `dropOutputOnClosedPipe` does for the stream. A
 * descriptor the caller left non-blocking (EAGAIN) hands the rest to the
 * stream, which waits for the reader as Node does.
 */
export function copyOutput(fd: 1 | 2, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") return;
      if (code !== "EAGAIN") throw e;
      const stream = fd === 1 ? process.stdout : process.stderr;
      dropOutputOnClosedPipe([stream]);
      stream.write(bytes.subarray(done));
      return;
    }
  }
}
