import net from "node:net";
import { createHash } from "node:crypto";

function listen(name: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((c) => c.end(`${process.pid}\n`));
    srv.once("error", reject);
    srv.listen(name, () => {
      srv.off("error", reject);
      resolve(srv);
    });
  });
}

/**
 * The lock's name: an abstract unix socket (Linux), so it vanishes with
 * the process that holds it (no stale file after a crash) and is scoped to
 * the network namespace, like the addresses the daemon listens on.
 */
export function singletonName(dir: string): string {
  return `\0berth-dns-${createHash("sha256").update(dir).digest("hex").slice(0, 32)}`;
}

/**
 * Become the only resolver daemon of a run dir by listening on its abstract
 * socket: binding fails while another daemon holds it. While the holder is
 * alive (it may be on its way out because the zone just emptied), keep
 * trying for `waitMs`. Returns the server (close it to let go), or
 * undefined if another daemon kept it.
 */
export async function acquireSingleton(dir: string, waitMs = 3000): Promise<net.Server | undefined> {
  const name = singletonName(dir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await listen(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}
