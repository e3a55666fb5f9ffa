import { withEngine } from "../engine/index.js";
import { messageOf } from "../errors.js";
import { dockerPluginHandler, type DockerPluginHandler } from "../interop/docker/plugin-handler.js";
import { preparePluginSocket } from "../interop/docker/plugin-socket.js";
import type { DockerPluginConfig } from "../interop/docker/plugin-config.js";
import { outsideRequest } from "./request-context.js";
import type { BerthService, HostedListener } from "./server.js";

/** Where the plugin listens: a socket path of the config, or a descriptor systemd passed (berth-docker-plugin.socket). */
export type DockerPluginWhere = { readonly socket: string } | { readonly fd: number };

/**
 * The Berth service's Docker plugin: libnetwork's remote network and IPAM
 * driver protocols (interop/docker/plugin-handler.ts) answered on a socket
 * the service hosts beside its API socket. Every request dockerd sends is a
 * change in the service's mutation queue, in turn with berth commands,
 * Podman's and CNI's calls, with the engine of the service's own run dir.
 */
export class DockerPluginHost {
  readonly #service: BerthService;
  readonly #env: NodeJS.ProcessEnv;
  readonly #log: (msg: string) => void;
  #hosted: { readonly where: DockerPluginWhere; readonly listener: HostedListener; readonly handler: DockerPluginHandler } | undefined;

  constructor(service: BerthService, env: NodeJS.ProcessEnv, log: (msg: string) => void) {
    this.#service = service;
    this.#env = env;
    // the service's log, also when `berth docker-plugin enable` (a request whose output the caller gets) opens the socket
    this.#log = (msg) => outsideRequest(() => log(msg));
  }

  /** What it serves now: the socket path, "fd N" for an inherited one, or undefined. */
  get serving(): string | undefined {
    const w = this.#hosted?.where;
    if (w === undefined) return undefined;
    return "socket" in w ? w.socket : `fd ${w.fd}`;
  }

  /** Serve the plugin at `where` (closing what it served before, unless that is the same socket). */
  async open(where: DockerPluginWhere, opts: Pick<DockerPluginConfig, "logRequests">): Promise<void> {
    if (this.#hosted !== undefined && "socket" in where && "socket" in this.#hosted.where && where.socket === this.#hosted.where.socket) return;
    await this.close();
    const env = this.#env;
    const handler = dockerPluginHandler({
      run: (fn) => this.#service.change(env, () => withEngine(fn), "a call from dockerd"),
      onError: (method, e) => this.#log(`docker-plugin: ${method}: ${messageOf(e)}`),
      ...(opts.logRequests
        ? { onRequest: (method: string, body: object, ms: number) => this.#log(`docker-plugin: ${method} ${JSON.stringify(body)} (${ms.toFixed(1)} ms)`) }
        : {}),
    });
    // dockerd's connections and the handler's timers belong to no berth command being served
    const listener = await outsideRequest(async () => {
      if ("socket" in where) await preparePluginSocket(where.socket);
      return this.#service.addListener("socket" in where ? { path: where.socket, mode: 0o660 } : { fd: where.fd }, (req, res) =>
        outsideRequest(() => handler.listener(req, res)),
      );
    });
    this.#hosted = { where, listener, handler };
    outsideRequest(() => handler.settleEarlierJoins());
    this.#log(`docker-plugin: serving ${this.serving ?? ""}`);
  }

  /** Stop serving (the socket file goes; dockerd's calls fail until it is served again). */
  async close(): Promise<void> {
    const h = this.#hosted;
    if (h === undefined) return;
    this.#hosted = undefined;
    h.handler.close();
    await h.listener.close();
    this.#log(`docker-plugin: stopped serving ${"socket" in h.where ? h.where.socket : `fd ${h.where.fd}`}`);
  }
}

let resident: DockerPluginHost | undefined;

/** The service's plugin host, when this code runs in the Berth service (`berth docker-plugin enable` reaches it). */
export function residentDockerPluginHost(): DockerPluginHost | undefined {
  return resident;
}

export function setResidentDockerPluginHost(host: DockerPluginHost | undefined): void {
  resident = host;
}
