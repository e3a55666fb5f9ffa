// A small DNS load generator (used by dns-throughput.ts when dnsperf is not
// installed, and for a second opinion when it is). Run it inside the client
// namespace; it prints one JSON line:
//   node dns-load.js '{"server":"10.79.0.1","names":["svc0"],"seconds":5,"inflight":64}'   closed loop: max qps
//   node dns-load.js '{"server":"10.79.0.1","names":["svc0"],"seconds":5,"rate":20000}'     open loop: latency at a fixed rate
import dgram from "node:dgram";
import { performance } from "node:perf_hooks";
import dnsPacket from "dns-packet";

interface Spec {
  server: string;
  port?: number;
  names: string[];
  seconds: number;
  inflight?: number;
  rate?: number;
}

export interface LoadResult {
  sent: number;
  answered: number;
  lost: number;
  qps: number;
  p50: number;
  p99: number;
  p999: number;
  /** dnsperf runs only: runs of consecutive replies slower than 1 ms, and the share of replies in them. */
  stalls?: number;
  stalledShare?: number;
  max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
  const port = spec.port ?? 53;
  const queries = spec.names.map((name) =>
    dnsPacket.encode({ id: 0, type: "query", flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: "A", name, class: "IN" }] }),
  );
  const sock = dgram.createSocket("udp4");
  sock.connect(port, spec.server);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const sentAt = new Float64Array(65536).fill(-1);
  const latencies: number[] = [];
  let sent = 0;
  let inFlight = 0;
  let nextId = 0;
  const start = performance.now();
  const end = start + spec.seconds * 1000;
  let stopped = false;

  const sendOne = () => {
    const id = nextId;
    nextId = (nextId + 1) & 0xffff;
    if (sentAt[id]! >= 0) inFlight--; // wrapped onto a lost query
    const q = queries[sent % queries.length]!;
    q.writeUInt16BE(id, 0);
    sentAt[id] = performance.now();
    sent++;
    inFlight++;
    sock.send(q);
  };
  sock.on("message", (msg) => {
    const id = msg.readUInt16BE(0);
    const t = sentAt[id]!;
    if (t < 0) return;
    sentAt[id] = -1;
    inFlight--;
    latencies.push(performance.now() - t);
    if (spec.inflight && !stopped && performance.now() < end) sendOne();
  });
  sock.on("error", () => undefined);

  if (spec.inflight) {
    for (let i = 0; i < spec.inflight; i++) sendOne();
    // refill if replies were lost
    const refill = setInterval(() => {
      const t = performance.now();
      for (let id = 0; id < 65536; id++) if (sentAt[id]! >= 0 && t - sentAt[id]! > 1000) ((sentAt[id] = -1), inFlight--);
      while (inFlight < spec.inflight! && t < end) sendOne();
    }, 200);
    await new Promise((r) => setTimeout(r, spec.seconds * 1000));
    clearInterval(refill);
  } else {
    const rate = spec.rate ?? 1000;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (now >= end) return resolve();
        const due = Math.floor(((now - start) / 1000) * rate);
        while (sent < due) sendOne();
        setImmediate(tick);
      };
      tick();
    });
  }
  stopped = true;
  await new Promise((r) => setTimeout(r, 300));
  sock.close();
  const sorted = Float64Array.from(latencies).sort();
  const elapsed = (performance.now() - 300 - start) / 1000;
  const result: LoadResult = {
    sent,
    answered: latencies.length,
    lost: sent - latencies.length,
    qps: Math.round(latencies.length / elapsed),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? NaN,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
