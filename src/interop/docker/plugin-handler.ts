import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { BerthError } from "../../errors.js";
import { settleHandedOver, type Engine } from "../../engine/index.js";
import { parseBody, type JsonObject } from "./json-body.js";
import { DockerIpam, GLOBAL_ADDRESS_SPACE, LOCAL_ADDRESS_SPACE } from "./ipam.js";
import { DockerNetworkDriver } from "./network-driver.js";
import { parseCreateEndpoint, parseCreateNetwork, parseEndpointRef, parseExternalConnectivity, parseJoin, parseNetworkRef } from "./driver-requests.js";
import { parsePoolRef, parseReleaseAddress, parseRequestAddress, parseRequestPool } from "./ipam-requests.js";
import { DOCKER_OWNER, isHandoverName } from "./names.js";

const CONTENT_TYPE = "application/vnd.docker.plugins.v1.2+json";
/** How long after a Join the handler looks for the interface dockerd moved, and how often. */
const SETTLE_FOR_MS = 30_000;
const SETTLE_EVERY_MS = 100;

/**
 * Runs one change of the plugin's with an engine, in turn with every other
 * change: the foreground plugin's own queue, or the Berth service's
 * mutation queue (with the repair of interrupted work first, as every
 * berth command does).
 */
export type DockerPluginRunner = <T>(fn: (engine: Engine) => Promise<T> | T) => Promise<T>;

export interface DockerPluginHandlerOptions {
  readonly run: DockerPluginRunner;
  /** Told about each request that failed (default: nothing). */
  readonly onError?: (method: string, error: unknown) => void;
  /** Told about each request served, with its body and how long it took in ms (default: nothing). */
  readonly onRequest?: (method: string, body: JsonObject, ms: number) => void;
}

export interface DockerPluginHandler {
  /** node:http's request listener answering dockerd. */
  readonly listener: RequestListener;
  /** Look for the interfaces of endpoints joined before this handler existed (call once it listens). */
  settleEarlierJoins(): void;
  /** Forget this handler's timers; changes already queued still run. */
  close(): void;
}

/**
 * libnetwork's remote network driver and remote IPAM protocols (JSON over
 * HTTP on a Unix socket) as one request listener, whoever hosts it: the
 * foreground `berth docker-plugin` (server.ts) or the Berth service
 * (service/docker-plugin-host.ts). Every request is a change run through
 * `run`; the driver's and IPAM's memory (endpoints between CreateEndpoint
 * and Join, addresses handed out) lives in the returned handler.
 */
export function dockerPluginHandler(opts: DockerPluginHandlerOptions): DockerPluginHandler {
  const driver = new DockerNetworkDriver();
  const ipam = new DockerIpam();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  /** Look for the interfaces dockerd moved into their containers until none is left waiting (or time is up). */
  const settleSoon = (deadline: number): void => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      opts
        .run((engine) => settleHandedOver(engine, DOCKER_OWNER, isHandoverName))
        .then(
          (waiting) => {
            if (waiting > 0 && Date.now() < deadline) settleSoon(deadline);
          },
          (e: unknown) => opts.onError?.("settle", e),
        );
    }, SETTLE_EVERY_MS);
    timers.add(t);
  };

  const routes: Readonly<Record<string, (engine: Engine, body: JsonObject) => unknown>> = {
    "/Plugin.Activate": () => ({ Implements: ["NetworkDriver", "IpamDriver"] }),
    "/NetworkDriver.GetCapabilities": () => ({ Scope: "local", ConnectivityScope: "local" }),
    "/NetworkDriver.CreateNetwork": (e, b) => driver.createNetwork(e, parseCreateNetwork(b)),
    "/NetworkDriver.DeleteNetwork": (e, b) => driver.deleteNetwork(e, parseNetworkRef(b)),
    "/NetworkDriver.CreateEndpoint": (e, b) => driver.createEndpoint(e, parseCreateEndpoint(b)),
    "/NetworkDriver.EndpointOperInfo": (e, b) => driver.endpointInfo(e, parseEndpointRef(b)),
    "/NetworkDriver.DeleteEndpoint": (e, b) => driver.deleteEndpoint(e, parseEndpointRef(b)),
    "/NetworkDriver.Join": async (e, b) => {
      const reply = await driver.join(e, parseJoin(b));
      settleSoon(Date.now() + SETTLE_FOR_MS);
      return reply;
    },
    "/NetworkDriver.Leave": (e, b) => driver.leave(e, parseEndpointRef(b)),
    "/NetworkDriver.ProgramExternalConnectivity": (e, b) => driver.programExternalConnectivity(e, parseExternalConnectivity(b)),
    "/NetworkDriver.RevokeExternalConnectivity": (e, b) => driver.revokeExternalConnectivity(e, parseEndpointRef(b)),
    "/NetworkDriver.DiscoverNew": () => ({}),
    "/NetworkDriver.DiscoverDelete": () => ({}),
    "/IpamDriver.GetCapabilities": () => ({ RequiresMACAddress: false, RequiresRequestReplay: true }),
    "/IpamDriver.GetDefaultAddressSpaces": () => ({ LocalDefaultAddressSpace: LOCAL_ADDRESS_SPACE, GlobalDefaultAddressSpace: GLOBAL_ADDRESS_SPACE }),
    "/IpamDriver.RequestPool": (e, b) => ipam.requestPool(e, parseRequestPool(b)),
    "/IpamDriver.ReleasePool": (_e, b) => ipam.releasePool(parsePoolRef(b)),
    "/IpamDriver.RequestAddress": (e, b) => ipam.requestAddress(e, parseRequestAddress(b)),
    "/IpamDriver.ReleaseAddress": (_e, b) => ipam.releaseAddress(parseReleaseAddress(b)),
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.url ?? "";
    let status = 200;
    let reply: unknown;
    try {
      const handler = req.method === "POST" ? routes[method] : undefined;
      if (!handler) {
        status = 404;
        reply = { Err: `Berth's Docker plugin has no ${req.method ?? ""} ${method}` };
      } else {
        const body = parseBody(await readBody(req));
        const t0 = performance.now();
        reply = await opts.run((engine) => handler(engine, body));
        opts.onRequest?.(method, body, performance.now() - t0);
      }
    } catch (e) {
      opts.onError?.(method, e);
      // the network driver protocol reads "Err", the IPAM protocol "Error"
      const text = errorText(e);
      reply = { Err: text, Error: text };
    }
    res.writeHead(status, { "Content-Type": CONTENT_TYPE });
    res.end(JSON.stringify(reply ?? {}));
  }

  return {
    listener: (req, res) => void answer(req, res),
    // endpoints joined before a restart of the plugin may still wait for their final names
    settleEarlierJoins: () => settleSoon(Date.now() + SETTLE_FOR_MS),
    close: () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BerthError("INVALID_ARGUMENT", "Docker plugin request body is larger than 1 MiB", { hint: "dockerd never sends such bodies" }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function errorText(e: unknown): string {
  if (e instanceof BerthError) return e.hint === undefined ? e.message : `${e.message} (${e.hint})`;
  return e instanceof Error ? e.message : String(e);
}
