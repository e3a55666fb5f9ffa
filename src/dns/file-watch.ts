import { statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/** Stop watching. */
export type Unwatch = () => void;

function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Call `onChange` when the file at `path` is replaced, rewritten or
 * removed: fs.watch on its directory (catches tmp+rename at once, a few ms
 * debounce) plus a stat every `pollMs` in case the watch misses it (some
 * filesystems, a directory that did not exist yet, a symlink target moving).
 * `debounceMs` 0 looks at once: for a file only ever appended to in whole
 * writes (the zone journal), where waiting buys nothing.
 */
export function watchFile(path: string, onChange: () => void, pollMs = 1000, debounceMs = 3): Unwatch {
  let last = signature(path);
  let debounce: NodeJS.Timeout | undefined;
  const check = () => {
    const now = signature(path);
    if (now === last) return;
    last = now;
    onChange();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: true }, (_event, file) => {
      if (file !== null && file !== basename(path)) return;
      clearTimeout(debounce);
      if (debounceMs === 0) check();
      else debounce = setTimeout(check, debounceMs);
    });
    watcher.on("error", () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(check, pollMs);
  return () => {
    clearTimeout(debounce);
    clearInterval(poll);
    watcher?.close();
  };
}
