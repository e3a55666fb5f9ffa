// The resolver's UDP thread (see udp-service.ts): it waits on the
// listeners' sockets with poll(2), takes queries in batches with
// recvmmsg(2), answers what the zone can answer into the send batch and
// hands the batch back with sendmmsg(2). Queries for other names go to the
// main thread, which forwards them upstream and replies itself. A new zone
// is built a slice at a time between batches, answering from the old one
// until it is complete (then its message is acknowledged). Control
// messages (a new zone, a listener added or removed, stop) arrive on a
// MessagePort, announced by a write to an eventfd that poll watches, since
// this thread never returns to an event loop.
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import { AF_INET, EINTR, POLLIN, errno, libc } from "../kernel/libc.js";
import { errnoName } from "../errors.js";
import { formatIpv6 } from "../model/ipv6.js";
import { FORWARD, isQuery, LocalAnswerer } from "./answerer.js";
import { BATCH_SLOTS, DatagramBatch } from "./datagram-batch.js";
import { closeFd } from "./udp-socket.js";
import type { FromUdpWorker, ToUdpWorker, UdpWorkerData } from "./udp-service.js";
import { RCODE_FORMERR } from "./wire/constants.js";
import { encodeErrorReplyInto } from "./wire/error-reply.js";
import { Zone } from "./zone.js";
import type { ZoneDelta } from "./zone-delta.js";
import { ForwardGate } from "./forward-gate.js";

/** How long poll waits at most: a bound on how late the thread notices it is being terminated. */
const POLL_MS = 500;
/** Batches served from one socket before the others get their turn. */
const ROUNDS_PER_TURN = 8;
/** sizeof(struct pollfd): int fd, short events, short revents. */
const POLLFD_BYTES = 8;

const data = workerData as UdpWorkerData;
const control = data.port;
const state = { zone: new Zone(data.snapshot) };
const answerer = new LocalAnswerer(state, { fastPath: data.fastPath });
/** Slots for forwards and each client's rate: a query beyond them is answered SERVFAIL here, never queued for the main thread. */
const gate = ForwardGate.attach(data.gate.shared, data.gate.limits);
const batch = new DatagramBatch();
const wakeBuf = Buffer.alloc(8);

interface Socket {
  readonly fd: number;
  readonly gateway: string;
}
let sockets: Socket[] = [];
/** pollfd array: the eventfd, then one per socket. */
let pollfds = Buffer.alloc(POLLFD_BYTES);
/** IPv4 clients of the zone: address as a 32-bit key -> text, so a known client costs no string. */
const clientText = new Map<number, string>();
/** The next zone, while it is built a slice at a time, the changes that came after it (applied once it is built), and the zone messages it answers. */
let building: { readonly slices: Generator<void, Zone, void>; readonly deltas: readonly ZoneDelta[]; readonly seqs: readonly number[] } | undefined;

/** Apply a change to the zone served (a few containers' names: no slices needed). */
function applyDelta(zone: Zone, delta: ZoneDelta): void {
  if (!zone.apply(delta)) post({ type: "error", message: "a zone change named a network the zone does not have; it was not applied" });
  // cached client texts of containers that went would only be stale, never wrong; drop them anyway
  if (delta.removed.length > 0) clientText.clear();
}

/** Build one more slice of the next zone; serve from it once it is complete. */
function buildSlice(): void {
  if (building === undefined) return;
  const step = building.slices.next();
  if (!step.done) return;
  for (const d of building.deltas) applyDelta(step.value, d);
  state.zone = step.value;
  clientText.clear();
  for (const seq of building.seqs) post({ type: "zone-applied", seq });
  building = undefined;
}

function post(m: FromUdpWorker): void {
  control.postMessage(m);
}

let lastError = "";
let lastErrorAt = 0;
/** Report a socket error, but the same one at most every 10 s (a socket that keeps failing would flood the log). */
function report(message: string): void {
  const now = Date.now();
  if (message === lastError && now - lastErrorAt < 10_000) return;
  lastError = message;
  lastErrorAt = now;
  post({ type: "error", message });
}

function watch(): void {
  pollfds = Buffer.alloc(POLLFD_BYTES * (1 + sockets.length));
  pollfds.writeInt32LE(data.wakeFd, 0);
  pollfds.writeInt16LE(POLLIN, 4);
  sockets.forEach((s, k) => {
    pollfds.writeInt32LE(s.fd, POLLFD_BYTES * (k + 1));
    pollfds.writeInt16LE(POLLIN, POLLFD_BYTES * (k + 1) + 4);
  });
}

function clientOf(i: number): string {
  if (batch.family(i) !== AF_INET) return formatIpv6(batch.ipv6(i));
  const key = batch.ipv4Key(i);
  const known = clientText.get(key);
  if (known !== undefined) return known;
  const text = batch.ipv4Text(i);
  if (state.zone.knowsClient(text)) clientText.set(key, text);
  return text;
}

function answer(s: Socket, i: number): void {
  const query = batch.query(i);
  const n = batch.length(i);
  const out = batch.nextReply();
  if (batch.truncated(i)) {
    // longer than any query a stub resolver sends over UDP
    if (isQuery(query, n)) batch.queueReply(i, encodeErrorReplyInto(out, query, RCODE_FORMERR));
    return;
  }
  const client = clientOf(i);
  const len = answerer.answerInto(query, n, client, s.gateway, "udp", out);
  if (len > 0) batch.queueReply(i, len);
  else if (len === FORWARD) {
    if (gate.enter(client) === "ok")
      post({ type: "forward", fd: s.fd, gateway: s.gateway, client, sender: batch.sender(i), query: Buffer.from(query.subarray(0, n)) });
    else {
      const servfail = answerer.servfail();
      if (servfail.length <= out.length) batch.queueReply(i, servfail.copy(out));
    }
  }
}

function serve(s: Socket): void {
  for (let round = 0; round < ROUNDS_PER_TURN; round++) {
    let k: number;
    try {
      k = batch.receive(s.fd);
    } catch (e) {
      report(`${s.gateway}: ${(e as Error).message}`);
      return;
    }
    for (let i = 0; i < k; i++) answer(s, i);
    batch.flush(s.fd);
    if (k < BATCH_SLOTS) return;
  }
}

/** Apply waiting control messages; false once told to stop. */
function applyControl(): boolean {
  libc.read(data.wakeFd, wakeBuf, 8);
  for (;;) {
    const m = receiveMessageOnPort(control)?.message as ToUdpWorker | undefined;
    if (m === undefined) return true;
    switch (m.type) {
      case "zone":
        // built between batches; a newer zone replaces one still being built
        building = { slices: Zone.inSlices(m.snapshot), deltas: [], seqs: [...(building?.seqs ?? []), m.seq] };
        break;
      case "zone-delta":
        if (building !== undefined) building = { ...building, deltas: [...building.deltas, m.delta], seqs: [...building.seqs, m.seq] };
        else {
          applyDelta(state.zone, m.delta);
          post({ type: "zone-applied", seq: m.seq });
        }
        break;
      case "add":
        sockets = [...sockets, { fd: m.fd, gateway: m.gateway }];
        watch();
        break;
      case "remove":
        sockets = sockets.filter((s) => s.fd !== m.fd);
        closeFd(m.fd);
        watch();
        break;
      case "stop":
        for (const s of sockets) closeFd(s.fd);
        sockets = [];
        batch.free();
        return false;
    }
  }
}

for (const s of data.sockets) sockets.push(s);
watch();
for (;;) {
  // while a zone is being built, look at the sockets between its slices without waiting
  const ready = libc.poll(pollfds, 1 + sockets.length, building === undefined ? POLL_MS : 0);
  if (ready < 0) {
    const e = errno();
    if (e !== EINTR) report(`poll: ${errnoName(e)}`);
    continue;
  }
  if ((ready === 0 || pollfds.readInt16LE(6) !== 0) && !applyControl()) break;
  if (ready > 0) {
    const current = sockets;
    for (let k = 0; k < current.length; k++) if (pollfds.readInt16LE(POLLFD_BYTES * (k + 1) + 6) !== 0) serve(current[k]!);
  }
  buildSlice();
}
control.close();
