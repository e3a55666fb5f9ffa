// A TCP+UDP "who am I" echo server to run in containers, and its client.
import { spawn, spawnSync } from "node:child_process";

/** Container command: on port 8080 (TCP and UDP, IPv4 and IPv6), answer each client with the source address it sees. */
export const ECHO = [
  "node",
  "-e",
  "const net=require('net'),d=require('dgram');net.createServer(s=>s.end(s.remoteAddress.replace('::ffff:','')+'\\n')).listen(8080);" +
    "const u=d.createSocket('udp6');u.on('message',(m,r)=>u.send(r.address.replace('::ffff:','')+'\\n',r.port,r.address));u.bind(8080)",
];

const CLIENT =
  "const [p,h,port,ms]=process.argv.slice(1);const done=(s)=>{process.stdout.write(s);process.exit(0)};setTimeout(()=>process.exit(3),+ms);" +
  "if(p==='tcp'){const c=require('net').connect(+port,h);let b='';c.on('data',x=>b+=x);c.on('end',()=>done(b));c.on('error',()=>process.exit(2))}" +
  "else{const u=require('dgram').createSocket(h.includes(':')?'udp6':'udp4');u.on('message',m=>done(m.toString()));u.send('hi',+port,h)}";

/**
 * Ask the echo server at host:port who we are, over tcp or udp, from the
 * test's own namespace or from inside `netns` (a namespace file). The
 * address it saw, or undefined when nothing answered within `timeoutMs`.
 */
export function ask(proto: "tcp" | "udp", host: string, port: number, netns?: string, timeoutMs = 2500): string | undefined {
  const [cmd, ...args] = clientArgv({ proto, host, port, netns, timeoutMs });
  const r = spawnSync(cmd ?? "", args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** One question for askAll: the same arguments as ask(). */
export interface Probe {
  readonly proto: "tcp" | "udp";
  readonly host: string;
  readonly port: number;
  readonly netns?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

function clientArgv(p: Probe): string[] {
  const argv = [process.execPath, "-e", CLIENT, p.proto, p.host, String(p.port), String(p.timeoutMs ?? 2500)];
  return p.netns ? ["nsenter", `--net=${p.netns}`, ...argv] : argv;
}

/**
 * ask() for many probes at once, `parallel` clients at a time: a probe that
 * must stay unanswered costs its whole timeout, and these overlap instead of
 * adding up. Each probe is still its own client process (own socket, own
 * source port); the answers come back in the order of `probes`.
 */
export async function askAll(probes: readonly Probe[], parallel = 8): Promise<(string | undefined)[]> {
  const answers: (string | undefined)[] = new Array<string | undefined>(probes.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const i = next++;
      const [cmd, ...args] = clientArgv(probes[i] as Probe);
      answers[i] = await new Promise<string | undefined>((resolve) => {
        const child = spawn(cmd ?? "", args, { stdio: ["ignore", "pipe", "ignore"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", () => resolve(undefined));
        child.on("close", (code) => resolve(code === 0 ? out.trim() : undefined));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, probes.length) }, worker));
  return answers;
}

/**
 * Wait until something listens on `port` (TCP and UDP, as ECHO does) inside
 * `netns` (a namespace file; the test's own namespace when undefined): the
 * readiness wait for a server just started in a container. Throws after
 * `timeoutMs` naming what never came up.
 */
export function waitListening(netns: string | undefined, port = 8080, protos: readonly ("tcp" | "udp")[] = ["tcp", "udp"], timeoutMs = 10_000): void {
  const end = Date.now() + timeoutMs;
  for (const proto of protos) {
    const argv = ["ss", "-H", proto === "tcp" ? "-ltn" : "-lun", "sport", "=", `:${port}`];
    const cmd = netns === undefined ? argv : ["nsenter", `--net=${netns}`, ...argv];
    for (;;) {
      const r = spawnSync(cmd[0] ?? "", cmd.slice(1), { encoding: "utf8" });
      if (r.status === 0 && r.stdout.trim() !== "") break;
      if (Date.now() > end) throw new Error(`nothing listens on ${port}/${proto} in ${netns ?? "the test's namespace"} after ${timeoutMs} ms`);
      spawnSync("sleep", ["0.02"]);
    }
  }
}
