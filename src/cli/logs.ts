import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Engine } from "../engine/context.js";
import type { Container } from "../model/container.js";
import { decodeK8sLog } from "../runtime/index.js";
import { sleep } from "../runtime/process-alive.js";

/** The last `n` lines of `text` (all of it for -1). */
export function tailLines(text: string, n: number): string {
  if (n < 0) return text;
  if (n === 0) return "";
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  const last = lines.slice(-n).join("\n");
  return text.length === 0 ? "" : `${last}${text.endsWith("\n") ? "\n" : ""}`;
}

/**
 * `logs -f`: print the log (its last `tail` lines), then whatever conmon
 * appends, until the container is no longer running and the log has been
 * read to its end. The log is conmon's k8s-file: complete records only are
 * decoded, a partial last line waits for the rest.
 */
export async function followLogs(engine: Engine, c: Container, tail: number, write: (text: string) => void, pollMs = 100): Promise<void> {
  const path = engine.runtime.logPath(c.id);
  let offset = 0;
  let pending = "";
  const readMore = (): string => {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      return "";
    }
    if (size <= offset) return "";
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(size - offset);
      const n = readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      pending += buf.subarray(0, n).toString("utf8");
    } finally {
      closeSync(fd);
    }
    const cut = pending.lastIndexOf("\n");
    if (cut < 0) return "";
    const complete = pending.slice(0, cut + 1);
    pending = pending.slice(cut + 1);
    return decodeK8sLog(complete);
  };
  write(tailLines(readMore(), tail));
  for (;;) {
    const running = engine.store.containers.byId(c.id)?.status === "running";
    const text = readMore();
    if (text) write(text);
    if (!running) return;
    await sleep(pollMs);
  }
}
