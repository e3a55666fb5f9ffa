// Runs inside a test container's network namespace (nsenter --net=FILE node
// probe.js JSON) and queries the resolver from there; prints one JSON result.
//   {"server":"10.77.1.1","queries":[{"name":"web","type":"A","proto":"udp"}]}
//   {"server":"10.77.1.1","garbage":1000}
//   {"server":"10.77.1.1","loop":{"name":"web","count":300}}
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import type dnsPacket from "dns-packet";
import { makeQuery, summarize, tcpQuery, udpQuery } from "./dns-client.js";

interface Spec {
  server: string;
  port?: number;
  queries?: { name: string; type?: dnsPacket.RecordType; proto?: "udp" | "tcp" }[];
  garbage?: number;
  loop?: { name: string; count: number };
}

const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
const port = spec.port ?? 53;
const out: Record<string, unknown> = {};
if (spec.queries) {
  const results = [];
  for (const q of spec.queries) {
    const t = performance.now();
    const query = makeQuery(q.name, q.type ?? "A");
    const reply = q.proto === "tcp" ? await tcpQuery(spec.server, port, query) : await udpQuery(spec.server, port, query);
    results.push({ ...summarize(reply), ms: Math.round(performance.now() - t) });
  }
  out["results"] = results;
}
if (spec.garbage) {
  // random bytes, and valid queries with a few bytes overwritten: all over UDP from one socket, every 50th over TCP
  const sock = dgram.createSocket("udp4");
  let replies = 0;
  sock.on("message", () => replies++);
  for (let i = 0; i < spec.garbage; i++) {
    const q = i % 2 === 0 ? randomBytes(i % 300) : makeQuery("web");
    if (i % 2 === 1) for (let k = 0; k < 3; k++) q[Math.floor(Math.random() * q.length)] = Math.floor(Math.random() * 256);
    if (i % 50 === 0) await tcpQuery(spec.server, port, q, 30);
    else await new Promise<void>((r) => sock.send(q, port, spec.server, () => r()));
  }
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  out["sent"] = spec.garbage;
  out["replies"] = replies;
}
if (spec.loop) {
  let answered = 0;
  for (let i = 0; i < spec.loop.count; i++) {
    const r = summarize(await udpQuery(spec.server, port, makeQuery(spec.loop.name), 1000));
    if (r && r.rcode === "NOERROR" && r.answers.length > 0) answered++;
  }
  out["answered"] = answered;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
