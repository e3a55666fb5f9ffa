// The resolver under a forwarding flood (issue 19, finding 2): one client
// asks for random names under an outside domain as fast as it can, its
// upstream never answers; meanwhile another client's forwarded lookup (to
// an upstream that answers) is tried once a second. Prints, per second,
// the daemon's resident memory and whether the other client got its
// answer. Loopback only, no root needed:
//   npx tsc -p . && node dist/bench/dns-flood.js [SECONDS]
//   BENCH_MAIN=/other/checkout/dist/src/dns/daemon-main.js node dist/bench/dns-flood.js   (another build's daemon)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeUpstream } from "../src/dns/testing/fake-upstream.js";
import { makeQuery, summarize } from "../src/dns/testing/dns-client.js";
import type { DnsZoneSnapshot } from "../src/dns/zone-snapshot.js";

const seconds = Number(process.argv[2] ?? 10);
const main = process.env["BENCH_MAIN"] ?? fileURLToPath(new URL("../src/dns/daemon-main.js", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One query from `from`, one reply or undefined after `ms`. */
function ask(from: string, port: number, name: string, ms: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    const t = setTimeout(() => done(undefined), ms);
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      s.close();
      resolve(b);
    };
    s.on("message", (m) => done(m));
    s.bind(0, from, () => s.send(makeQuery(name), port, "127.0.0.1"));
  });
}

function rssKb(pid: number): number {
  return Number(/^VmRSS:\s+([0-9]+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? -1);
}

const root = mkdtempSync(join(tmpdir(), "berth-flood-"));
const silent = await FakeUpstream.start({ host: "127.0.0.2", silent: true });
const live = await FakeUpstream.start({ host: "127.0.0.4" });
const probe = dgram.createSocket("udp4");
await new Promise<void>((r) => probe.bind(0, "127.0.0.1", r));
const port = probe.address().port;
probe.close();
const zone: DnsZoneSnapshot = {
  version: 1,
  networks: [
    {
      id: "lo",
      name: "lo",
      gateway: "127.0.0.1",
      subnet: "127.0.0.0/8",
      dnsServers: [],
      containers: [
        { id: "a".repeat(64), name: "flooder", aliases: [], ipv4: "127.0.0.1", dnsServers: [silent.server] },
        { id: "b".repeat(64), name: "bystander", aliases: [], ipv4: "127.0.0.3", dnsServers: [live.server] },
      ],
    },
  ],
};
mkdirSync(join(root, "run", "dns"), { recursive: true, mode: 0o700 });
writeFileSync(join(root, "run", "dns", "zone.json"), JSON.stringify(zone));
const daemon = spawn(process.execPath, ["--no-parallel-scavenge", "--no-memory-reducer", main, "/dev/null"], {
  env: { ...process.env, BERTH_RUN_DIR: join(root, "run"), BERTH_DNS_PORT: String(port) },
  stdio: ["ignore", "ignore", "inherit"],
});
const pidFile = join(root, "run", "dns", "resolver.pid");
while (!existsSync(pidFile)) await sleep(20);
const pid = daemon.pid ?? 0;

const flood = dgram.createSocket("udp4");
await new Promise<void>((r) => flood.bind(0, "127.0.0.1", r));
let sent = 0;
let stop = false;
const flooding = (async () => {
  while (!stop) {
    await new Promise<void>((r) => flood.send(makeQuery(`${randomBytes(8).toString("hex")}.flood.example`), port, "127.0.0.1", () => r()));
    if (++sent % 64 === 0) await new Promise((r) => setImmediate(r));
  }
})();
console.log(`daemon ${main}\nsecond  sent  rss_MiB  bystander_forwarded`);
console.log(`0 0 ${(rssKb(pid) / 1024).toFixed(0)} ${summarize(await ask("127.0.0.3", port, "before.example", 1000))?.rcode ?? "no answer"}`);
for (let s = 1; s <= seconds; s++) {
  const t = Date.now();
  const r = summarize(await ask("127.0.0.3", port, `t${s}.example`, 1000));
  await sleep(Math.max(0, 1000 - (Date.now() - t)));
  console.log(`${s} ${sent} ${(rssKb(pid) / 1024).toFixed(0)} ${r?.rcode ?? "no answer"}`);
}
stop = true;
await flooding;
flood.close();
daemon.kill("SIGKILL");
await silent.close();
await live.close();
rmSync(root, { recursive: true, force: true });
