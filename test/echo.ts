// A TCP+UDP "who am I" echo server to run in containers, and its client.
import { spawnSync } from "node:child_process";

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
  const argv = [process.execPath, "-e", CLIENT, proto, host, String(port), String(timeoutMs)];
  const r = netns ? spawnSync("nsenter", [`--net=${netns}`, ...argv], { encoding: "utf8" }) : spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
