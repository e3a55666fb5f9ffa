// In-process cost of answering one A query, without sockets: the wire-level
// fast path against decoding and encoding with dns-packet. Part of
// dns-throughput.ts; also runs alone: node dist/bench/dns-responder.js
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import { fileURLToPath } from "node:url";
import { LocalAnswerer } from "../src/dns/answerer.js";
import { Zone } from "../src/dns/zone.js";
import { makeQuery } from "../src/dns/testing/dns-client.js";
import type { DnsZoneSnapshot } from "../src/dns/zone-snapshot.js";

export interface ResponderCost {
  path: string;
  nsPerQuery: number;
  queriesPerSecond: number;
  /** Time spent in garbage collection per 100k queries. */
  gcPauseMsPer100k: number;
  /** Young-generation bytes allocated per answer (least of several samples without a scavenge). */
  bytesPerAnswer: number;
}

/** Bytes of new space one answer allocates: the least of 20 samples of 5,000 answers (a scavenge in between makes a sample negative). */
function bytesPerAnswer(answer: () => void): number {
  const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_used_size ?? 0;
  const samples: number[] = [];
  for (let round = 0; round < 20; round++) {
    const before = newSpace();
    for (let i = 0; i < 5000; i++) answer();
    const grown = newSpace() - before;
    if (grown >= 0) samples.push(grown / 5000);
  }
  return samples.length > 0 ? Math.min(...samples) : Number.NaN;
}

/** Answer `n` queries in a loop with each path; returns ns per query and GC time. */
export async function responderCost(n = 1_000_000): Promise<ResponderCost[]> {
  const zone: DnsZoneSnapshot = {
    version: 1,
    networks: [
      {
        id: "b",
        name: "b",
        gateway: "10.79.0.1",
        subnet: "10.79.0.0/24",
        dnsServers: [],
        containers: Array.from({ length: 100 }, (_, i) => ({
          id: i.toString(16).padStart(64, "0"),
          name: `svc${i}`,
          aliases: [],
          ipv4: `10.79.0.${10 + i}`,
          dnsServers: [],
        })),
      },
    ],
  };
  const state = { zone: new Zone(zone) };
  const queries = Array.from({ length: 100 }, (_, i) => makeQuery(`svc${i}`, "A", i));
  // as the UDP thread answers: into a reply buffer reused for every query
  const reply = Buffer.alloc(2048);
  const out: ResponderCost[] = [];
  for (const fastPath of [true, false]) {
    const a = new LocalAnswerer(state, { fastPath });
    const answer = (q: Buffer) => a.answerInto(q, q.length, "10.79.0.10", "10.79.0.1", "udp", reply);
    for (let i = 0; i < 50_000; i++) answer(queries[i % 100]!);
    let gcMs = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    obs.observe({ entryTypes: ["gc"] });
    const t = performance.now();
    for (let i = 0; i < n; i++) answer(queries[i % 100]!);
    const ms = performance.now() - t;
    await new Promise((res) => setTimeout(res, 10)); // GC entries arrive asynchronously
    obs.disconnect();
    let k = 0;
    const bytes = bytesPerAnswer(() => answer(queries[k++ % 100]!));
    out.push({
      path: fastPath ? "fast path" : "dns-packet",
      nsPerQuery: (ms * 1e6) / n,
      queriesPerSecond: Math.round((n / ms) * 1000),
      gcPauseMsPer100k: (gcMs * 100_000) / n,
      bytesPerAnswer: bytes,
    });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const c of await responderCost())
    console.log(
      `${c.path}: ${c.nsPerQuery.toFixed(0)} ns/query, ${c.queriesPerSecond} queries/s in one thread, GC ${c.gcPauseMsPer100k.toFixed(2)} ms per 100k queries, ${c.bytesPerAnswer.toFixed(0)} bytes allocated per answer`,
    );
}
