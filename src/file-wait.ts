import { watch, type FSWatcher } from "node:fs";

/** A wait started by waitInDir: `done` resolves with whether `ready` held; `cancel` ends it at once (false). */
export interface DirWait {
  readonly done: Promise<boolean>;
  readonly cancel: () => void;
}

/**
 * Wait until `ready()` holds, looking again whenever a file in `dir`
 * changes (inotify, through fs.watch; `names` limits it to those files)
 * and, for what no file event says (a writer that died, a directory that
 * does not exist yet), every `pollMs`; gives up after `timeoutMs`. Start
 * it before the event it waits for, so that none is missed.
 */
export function waitInDir(dir: string, ready: () => boolean, opts: { timeoutMs: number; pollMs?: number; names?: readonly string[] }): DirWait {
  let cancel: () => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    let watcher: FSWatcher | undefined;
    let over = false;
    const finish = (ok: boolean) => {
      if (over) return;
      over = true;
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
      resolve(ok);
    };
    const look = () => {
      if (!over && ready()) finish(true);
    };
    const poll = setInterval(look, opts.pollMs ?? 50);
    const timer = setTimeout(() => finish(ready()), opts.timeoutMs);
    cancel = () => finish(false);
    try {
      watcher = watch(dir, (_event, file) => {
        if (file === null || opts.names === undefined || opts.names.includes(file)) look();
      });
      watcher.on("error", () => undefined);
    } catch {
      // no such directory (yet): the poll looks
    }
    look();
  });
  return { done, cancel };
}
