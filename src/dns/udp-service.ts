import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { EFD_CLOEXEC, EFD_NONBLOCK, errno, libc } from "../kernel/libc.js";
import { KernelError } from "../errors.js";
import { sendOne } from "./datagram-batch.js";
import { onReply, type QueryHandler } from "./server.js";
import { closeFd, openUdpSocket } from "./udp-socket.js";
import type { DnsZoneSnapshot } from "./zone-snapshot.js";
import type { ZoneDelta } from "./zone-delta.js";
import { ForwardGate, type ForwardLimits } from "./forward-gate.js";

/** What the UDP thread starts with. */
export interface UdpWorkerData {
  readonly port: MessagePort;
  readonly wakeFd: number;
  readonly fastPath: boolean;
  readonly snapshot: DnsZoneSnapshot;
  readonly sockets: readonly { readonly fd: number; readonly gateway: string }[];
  /** The forwarding gate's counters and limits (forward-gate.ts). */
  readonly gate: { readonly shared: SharedArrayBuffer; readonly limits: ForwardLimits };
}

export type ToUdpWorker =
  | { readonly type: "zone"; readonly snapshot: DnsZoneSnapshot; readonly seq: number }
  | { readonly type: "zone-delta"; readonly delta: ZoneDelta; readonly seq: number }
  | { readonly type: "add"; readonly fd: number; readonly gateway: string }
  | { readonly type: "remove"; readonly fd: number }
  | { readonly type: "stop" };

export type FromUdpWorker =
  | { readonly type: "zone-applied"; readonly seq: number }
  | {
      readonly type: "forward";
      readonly fd: number;
      readonly gateway: string;
      readonly client: string;
      readonly sender: Uint8Array;
      readonly query: Uint8Array;
    }
  | { readonly type: "error"; readonly message: string };

export interface UdpServiceOptions {
  readonly snapshot: DnsZoneSnapshot;
  /** Answers what the UDP thread hands over (queries to forward upstream). */
  readonly handle: QueryHandler;
  readonly fastPath: boolean;
  readonly log: (msg: string) => void;
  /** The bound on forwarding, shared with the thread (which takes a slot before it hands a query over). @default a new gate with the default limits */
  readonly gate?: ForwardGate;
}

// resolved the same from dist/src/dns/ (modules) and dist/src/cli/ (the CLI's bundle)
const WORKER = new URL("../dns/udp-worker.js", import.meta.url);
const ONE = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
/** A thread that dies this soon after its start is restarted only after this long again (the fault may repeat). */
const RESTART_BACKOFF_MS = 1000;

/**
 * The resolver's UDP listeners, served by a thread of their own
 * (udp-worker.ts) that reads and answers queries in batches without
 * allocating per datagram, so the main thread's work (TCP, forwarding, zone
 * reloads) and its garbage collections do not hold up local answers. The
 * main thread opens and binds each socket (so a bind error reaches the
 * caller at once) and hands it to the thread; it replies to forwarded
 * queries itself, on the same socket.
 */
export class UdpService {
  readonly #opts: UdpServiceOptions;
  readonly #gate: ForwardGate;
  readonly #wakeFd: number;
  /** gateway -> socket */
  readonly #fds = new Map<string, number>();
  readonly #zoneWaiters = new Map<number, () => void>();
  /** The zone a restarted thread starts from (made only then: it costs the whole zone). */
  #snapshot: () => DnsZoneSnapshot;
  #zoneSeq = 0;
  #worker!: Worker;
  #port!: MessagePort;
  #startedAt = 0;
  #alive = false;
  #stopping = false;
  #exited: Promise<void> = Promise.resolve();

  constructor(opts: UdpServiceOptions) {
    this.#opts = opts;
    this.#gate = opts.gate ?? ForwardGate.create();
    const first = opts.snapshot;
    this.#snapshot = () => first;
    const fd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw new KernelError("create an eventfd for the resolver's UDP thread", errno());
    this.#wakeFd = fd;
    this.#start();
  }

  #start(): void {
    const { port1, port2 } = new MessageChannel();
    const data: UdpWorkerData = {
      port: port2,
      wakeFd: this.#wakeFd,
      fastPath: this.#opts.fastPath,
      snapshot: this.#snapshot(),
      sockets: [...this.#fds].map(([gateway, fd]) => ({ fd, gateway })),
      gate: { shared: this.#gate.shared, limits: this.#gate.limits },
    };
    const worker = new Worker(WORKER, { workerData: data, transferList: [port2] });
    this.#worker = worker;
    this.#port = port1;
    this.#startedAt = Date.now();
    this.#alive = true;
    port1.on("message", (m: FromUdpWorker) => this.#onMessage(m));
    worker.on("error", (e) => this.#opts.log(`UDP thread failed: ${e.stack ?? e.message}`));
    this.#exited = new Promise<void>((resolve) =>
      worker.once("exit", (code) => {
        this.#alive = false;
        port1.close();
        // the restarted thread starts from the latest zone
        for (const w of this.#zoneWaiters.values()) w();
        this.#zoneWaiters.clear();
        resolve();
        if (this.#stopping) return;
        const delay = Date.now() - this.#startedAt < RESTART_BACKOFF_MS ? RESTART_BACKOFF_MS : 0;
        this.#opts.log(`UDP thread exited (code ${code}); restarting it${delay ? ` in ${delay} ms` : ""}`);
        setTimeout(() => this.#stopping || this.#start(), delay);
      }),
    );
  }

  #onMessage(m: FromUdpWorker): void {
    switch (m.type) {
      case "zone-applied": {
        this.#zoneWaiters.get(m.seq)?.();
        this.#zoneWaiters.delete(m.seq);
        return;
      }
      case "forward": {
        const sender = Buffer.from(m.sender);
        const send = (reply: Buffer | undefined) => {
          // the listener may have closed (and its descriptor been reused) while the query was forwarded
          if (reply && this.#fds.get(m.gateway) === m.fd) sendOne(m.fd, reply, sender);
        };
        onReply(this.#opts.handle(Buffer.from(m.query), m.client, m.gateway, "udp", true), send);
        return;
      }
      case "error":
        this.#opts.log(`UDP thread: ${m.message}`);
        return;
    }
  }

  /** Post to the thread and wake it. A thread being restarted gets the state it needs in its workerData instead. */
  #tell(m: ToUdpWorker): void {
    if (!this.#alive) return;
    this.#port.postMessage(m);
    libc.write(this.#wakeFd, ONE, 8);
  }

  /** Listen on `address`:`port`/udp. Throws a KernelError (address not configured yet, port taken) with nothing opened. */
  open(address: string, port: number): void {
    if (this.#fds.has(address)) return;
    const fd = openUdpSocket(address, port);
    this.#fds.set(address, fd);
    this.#tell({ type: "add", fd, gateway: address });
  }

  /** Stop listening on `address`; queries being forwarded get no reply. */
  close(address: string): void {
    const fd = this.#fds.get(address);
    if (fd === undefined) return;
    this.#fds.delete(address);
    // the thread closes it: it may be reading it right now
    if (this.#alive) this.#tell({ type: "remove", fd });
    else closeFd(fd);
  }

  /**
   * Serve `snapshot` from now on; resolves once the UDP thread answers
   * from it. With `delta` (what changed since the last snapshot given
   * here), the thread gets only the delta and applies it to its zone
   * instead of building the whole zone again; a restarted thread starts
   * from `snapshot`, which may be given as a function that makes it (it
   * is called only for a restart, or here when there is no delta).
   */
  setZone(zone: DnsZoneSnapshot | (() => DnsZoneSnapshot), delta?: ZoneDelta): Promise<void> {
    const snapshot = typeof zone === "function" ? zone : () => zone;
    this.#snapshot = snapshot;
    if (!this.#alive) return Promise.resolve();
    const seq = ++this.#zoneSeq;
    const applied = new Promise<void>((resolve) => this.#zoneWaiters.set(seq, resolve));
    this.#tell(delta === undefined ? { type: "zone", snapshot: snapshot(), seq } : { type: "zone-delta", delta, seq });
    return applied;
  }

  /** Close every listener and end the thread. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#exited;
    this.#stopping = true;
    const fds = [...this.#fds.values()];
    this.#fds.clear();
    if (!this.#alive) for (const fd of fds) closeFd(fd);
    this.#tell({ type: "stop" });
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 2000).unref());
    if ((await Promise.race([this.#exited, timeout])) === "timeout") {
      // the thread did not get to close its sockets (its exit handler has resolved the zone waiters)
      await this.#worker.terminate();
      for (const fd of fds) closeFd(fd);
    }
    closeFd(this.#wakeFd);
  }
}
