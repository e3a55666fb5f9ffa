import { createServer } from "node:http";
import { chmodSync, unlinkSync } from "node:fs";
import { Engine, repairInterrupted } from "../../engine/index.js";
import type { JsonObject } from "./json-body.js";
import { dockerPluginHandler } from "./plugin-handler.js";
import { preparePluginSocket } from "./plugin-socket.js";

export { DEFAULT_PLUGIN_SOCKET } from "./plugin-socket.js";

export interface DockerPluginServerOptions {
  /** The Unix socket to listen on (its directory is made; a stale socket there is replaced). */
  readonly socket: string;
  /** Opens the engine for one request (default: Engine.open with `env`). */
  readonly openEngine?: () => Engine;
  /** The environment the default engine is opened with (BERTH_ROOT...; default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Told about each request that failed (default: nothing). */
  readonly onError?: (method: string, error: unknown) => void;
  /** Told about each request served, with its body and how long it took in ms (default: nothing). */
  readonly onRequest?: (method: string, body: JsonObject, ms: number) => void;
}

export interface DockerPluginServer {
  readonly socket: string;
  /** Stop listening, wait for the request being served, forget this server's timers. */
  close(): Promise<void>;
}

/**
 * Serve libnetwork's remote network driver and remote IPAM protocols
 * (plugin-handler.ts) on a Unix socket in this process, without the Berth
 * service: `berth docker-plugin` in the foreground. Requests are served
 * one at a time, each with an engine of its own (and the repair of an
 * interrupted berth command first, as every berth command does). All
 * state lives in the returned server: several can run in one process.
 */
export async function startDockerPluginServer(opts: DockerPluginServerOptions): Promise<DockerPluginServer> {
  const env = opts.env ?? process.env;
  const openEngine = opts.openEngine ?? (() => Engine.open(env));
  let queue: Promise<unknown> = Promise.resolve();

  /** Run `fn` after every request before it, with a fresh engine. */
  const run = <T>(fn: (engine: Engine) => Promise<T> | T): Promise<T> => {
    const next = queue.then(async () => {
      const engine = openEngine();
      try {
        await repairInterrupted(engine);
        return await fn(engine);
      } finally {
        engine.close();
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const handler = dockerPluginHandler({
    run,
    ...(opts.onError ? { onError: opts.onError } : {}),
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const server = createServer(handler.listener);

  await preparePluginSocket(opts.socket);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.socket, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(opts.socket, 0o660);
  handler.settleEarlierJoins();

  return {
    socket: opts.socket,
    close: async () => {
      handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await queue;
      try {
        unlinkSync(opts.socket);
      } catch {
        // already gone
      }
    },
  };
}
