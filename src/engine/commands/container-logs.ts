import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { requireContainer } from "../network/network-lookup.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { decodeK8sLog } from "../../runtime/index.js";
import { sleep } from "../../runtime/process-alive.js";

/** The last `n` lines of `text` (all of it for -1). */
export function tailLines(text: string, n: number): string {
  if (n < 0) return text;
  if (n === 0) return "";
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  const last = lines.slice(-n).join("\n");
  return text.length === 0 ? "" : `${last}${text.endsWith("\n") ? "\n" : ""}`;
}

/** How `berth logs` reads a container's output. */
export interface ContainerLogsOptions {
  /** The last N lines only (-1: all). */
  readonly tail: number;
  /** Keep writing new output until the container is no longer running. */
  readonly follow: boolean;
  /** Where the text goes. */
  readonly write: (text: string) => void;
}

/** `berth logs [-f] [-n N] NAME`: write a container's output (its last `tail` lines), and with `follow` what it writes next. */
export async function containerLogs(engine: Engine, nameOrId: string, opts: ContainerLogsOptions): Promise<void> {
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "logs");
  if (opts.follow) await followLogs(engine, c, opts.tail, opts.write);
  else opts.write(tailLines(engine.runtime.readLogs(c.id), opts.tail));
}

/** How far a container's log goes now, in bytes (0 when it has none yet): where `start -a` starts reading. */
export function containerLogOffset(engine: Engine, c: Pick<Container, "id">): number {
  try {
    return statSync(engine.runtime.logPath(c.id)).size;
  } catch {
    return 0;
  }
}

/**
 * `logs -f`: write the log (its last `tail` lines), then whatever conmon
 * appends, until the container is no longer running and the log has been
 * read to its end. The log is conmon's k8s-file: complete records only are
 * decoded, a partial last line waits for the rest. `from`: a byte offset
 * to start at (`start -a`: what the log held before the start is not shown).
 */
export async function followLogs(engine: Engine, c: Container, tail: number, write: (text: string) => void, pollMs = 100, from = 0): Promise<void> {
  const path = engine.runtime.logPath(c.id);
  let offset = from;
  let pending = "";
  const readMore = (): string => {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      return "";
    }
    // a log started anew (shorter than where we were): read it from its start
    if (size < offset) {
      offset = 0;
      pending = "";
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
