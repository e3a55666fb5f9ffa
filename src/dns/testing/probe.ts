// Runs inside a test container's network namespace (nsenter --net=FILE node
// probe.js JSON) and queries the resolver from there; prints one JSON result.
//   {"server":"10.77.1.1","queries":[{"name":"web","type":"A","proto":"udp"}]}
//   {"server":"10.77.1.1","garbage":1000}
//   {"server":"10.77.1.1","loop":{"name":"web","count":300}}
// Two run until their stdin closes, printing a JSON line per report:
//   {"server":"10.77.1.1","flood":{"domain":"flood.example","report":5000}}
//     random names under the domain over UDP from one socket, as fast as
//     it can; a line every `report` queries sent, and a last one at the end
//   {"server":"10.77.1.1","hold":{"connections":300}}
//     TCP connections that each send one byte and nothing more (a
//     slowloris); a line once all are open or refused, and a last one
//     saying how many the server closed
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import type dnsPacket from "dns-packet";
import { makeQuery, summarize, tcpQuery, udpQuery } from "./dns-client.js";

interface Spec {
  server: string;
  port?: number;
  queries?: { name: string; type?: dnsPacket.RecordType; proto?: "udp" | "tcp" }[];
  garbage?: number;
  loop?: { name: string; count: number };
  flood?: { domain: string; report: number };
  hold?: { connections: number };
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
/** Resolves when the test closes this process's stdin. */
function stdinClosed(): Promise<void> {
  return new Promise((r) => {
    process.stdin.on("end", () => r());
    process.stdin.on("close", () => r());
    process.stdin.resume();
  });
}

if (spec.flood) {
  const sock = dgram.createSocket("udp4");
  const rcodes: Record<string, number> = {};
  let replies = 0;
  sock.on("message", (m) => {
    replies++;
    const rcode = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"][(m[3] ?? 0) & 0xf] ?? "OTHER";
    rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
  });
  let stop = false;
  const closed = stdinClosed().then(() => (stop = true));
  let sent = 0;
  while (!stop) {
    const q = makeQuery(`${randomBytes(8).toString("hex")}.${spec.flood.domain}`, "A");
    await new Promise<void>((r) => sock.send(q, port, spec.server, () => r()));
    if (++sent % spec.flood.report === 0) process.stdout.write(`${JSON.stringify({ sent, replies, rcodes })}\n`);
    if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  await closed;
  sock.close();
  out["sent"] = sent;
  out["replies"] = replies;
  out["rcodes"] = rcodes;
}
if (spec.hold) {
  const socks: net.Socket[] = [];
  let refused = 0;
  let closedByServer = 0;
  for (let i = 0; i < spec.hold.connections; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect({ host: spec.server, port });
      s.on("error", () => undefined);
      s.once("connect", () => {
        socks.push(s);
        s.once("close", () => closedByServer++);
        s.write(Buffer.from([0]));
        resolve();
      });
      s.once("close", () => {
        if (!socks.includes(s)) refused++;
        resolve();
      });
    });
  }
  process.stdout.write(`${JSON.stringify({ opened: socks.length, refused })}\n`);
  await stdinClosed();
  out["closedByServer"] = closedByServer;
  for (const s of socks) s.destroy();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
