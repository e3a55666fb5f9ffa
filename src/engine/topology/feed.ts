import type { Engine } from "../context.js";
import type { TopologyGraph } from "./graph.js";

/** How often the whole topology is read again even when the fingerprint did not change (ms). */
export const FULL_READ_EVERY_MS = 10_000;

/**
 * The topology as it changes, for `berth topology --watch` and `--serve`.
 * Each poll takes a cheap fingerprint: the store's change counter (any
 * berth process's commit changes it) and the host's links and addresses
 * (one netlink dump: a bridge or veth made or removed by anyone). Only when
 * it changed, or every FULL_READ_EVERY_MS (what happens inside a
 * container's namespace, or in the nft maps behind Berth's back), is the
 * whole topology read again; `read` does that.
 */
export class TopologyFeed {
  readonly #engine: Engine;
  readonly #read: (engine: Engine) => TopologyGraph;
  readonly #now: () => number;
  #fingerprint: string | undefined;
  #lastRead = -Infinity;

  constructor(engine: Engine, read: (engine: Engine) => TopologyGraph, now: () => number = Date.now) {
    this.#engine = engine;
    this.#read = read;
    this.#now = now;
  }

  /** The topology, when it may have changed since the last poll; undefined when it cannot have. */
  poll(): TopologyGraph | undefined {
    const fp = this.fingerprint();
    const now = this.#now();
    if (fp === this.#fingerprint && now - this.#lastRead < FULL_READ_EVERY_MS) return undefined;
    this.#fingerprint = fp;
    this.#lastRead = now;
    return this.#read(this.#engine);
  }

  fingerprint(): string {
    const h = this.#engine.host;
    const links = h.linkList().map((l) => `${l.index}:${l.name}:${l.kind ?? ""}:${l.masterIndex ?? ""}:${l.peerIndex ?? ""}:${l.up ? 1 : 0}`);
    const addrs = h.addrList().map((a) => `${a.ifindex}:${a.ip}/${a.prefix}`);
    return `${this.#engine.store.changeCounter()}|${links.join(",")}|${addrs.join(",")}`;
  }
}
