// A hand-made TCP SYN for tests of what a packet can reach when it is not
// built by a normal socket: an Ethernet frame with any destination MAC and
// any IPv4 destination (127.0.0.1 included), sent on an AF_PACKET socket as
// a container with CAP_NET_RAW or a machine on the host's link can. It then
// listens on the same interface for the answer (SYN-ACK or RST) from the
// address it wrote to. Run as a program inside a namespace (`nsenter
// --net=NS node raw-syn.js ...`, which rawSyn() does); prints one word.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { koffi } from "../src/native/koffi.js";

export type SynAnswer = "syn-ack" | "rst" | "none";

export interface RawSynOptions {
  /** Interface to send on, inside the namespace. */
  readonly ifname: string;
  /** Destination MAC: the host's (its link or bridge). */
  readonly dstMac: string;
  /** Source IPv4 address written in the packet (the sender's own, or someone else's to spoof). */
  readonly srcIp: string;
  readonly dstIp: string;
  readonly dstPort: number;
  /** How long to listen for the answer. @default 1500 */
  readonly timeoutMs?: number;
}

const AF_PACKET = 17;
const SOCK_RAW = 3;
const ETH_P_ALL = 0x0003;
const ETH_P_IP = 0x0800;
const POLLIN = 1;

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2 === 1) sum += (buf[buf.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ipBytes = (ip: string): Buffer => Buffer.from(ip.split(".").map(Number));
const macBytes = (mac: string): Buffer => Buffer.from(mac.split(":").map((h) => parseInt(h, 16)));

/** Ethernet + IPv4 + TCP SYN (no options). */
export function synFrame(srcMac: string, o: RawSynOptions, srcPort: number): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(srcPort, 0);
  tcp.writeUInt16BE(o.dstPort, 2);
  tcp.writeUInt32BE(0x12345678, 4);
  tcp[12] = 5 << 4;
  tcp[13] = 0x02; // SYN
  tcp.writeUInt16BE(64240, 14);
  const pseudo = Buffer.concat([ipBytes(o.srcIp), ipBytes(o.dstIp), Buffer.from([0, 6, 0, tcp.length]), tcp]);
  tcp.writeUInt16BE(checksum(pseudo), 16);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcp.length, 2);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64;
  ip[9] = 6;
  ipBytes(o.srcIp).copy(ip, 12);
  ipBytes(o.dstIp).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const eth = Buffer.alloc(14);
  macBytes(o.dstMac).copy(eth, 0);
  macBytes(srcMac).copy(eth, 6);
  eth.writeUInt16BE(ETH_P_IP, 12);
  return Buffer.concat([eth, ip, tcp]);
}

/** The answer in a received frame, if it is TCP from dstIp:dstPort to srcIp:srcPort. */
function answerIn(frame: Buffer, o: RawSynOptions, srcPort: number): SynAnswer | undefined {
  if (frame.length < 54 || frame.readUInt16BE(12) !== ETH_P_IP) return undefined;
  const ip = frame.subarray(14);
  const ihl = ((ip[0] ?? 0) & 0x0f) * 4;
  if (ip[9] !== 6 || !ip.subarray(12, 16).equals(ipBytes(o.dstIp)) || !ip.subarray(16, 20).equals(ipBytes(o.srcIp))) return undefined;
  const tcp = ip.subarray(ihl);
  if (tcp.readUInt16BE(0) !== o.dstPort || tcp.readUInt16BE(2) !== srcPort) return undefined;
  const flags = tcp[13] ?? 0;
  if (flags & 0x04) return "rst";
  if ((flags & 0x12) === 0x12) return "syn-ack";
  return undefined;
}

/** Send one SYN and wait for its answer; must run inside the sending namespace. */
export function sendSynHere(o: RawSynOptions): SynAnswer {
  const lib = koffi.load("libc.so.6");
  const socket = lib.func("int socket(int, int, int)") as (d: number, t: number, p: number) => number;
  const bind = lib.func("int bind(int, void *, uint32_t)") as (fd: number, a: Buffer, l: number) => number;
  const send = lib.func("intptr_t send(int, void *, size_t, int)") as (fd: number, b: Buffer, l: number, f: number) => number | bigint;
  const recv = lib.func("intptr_t recv(int, void *, size_t, int)") as (fd: number, b: Buffer, l: number, f: number) => number | bigint;
  const poll = lib.func("int poll(void *, unsigned long, int)") as (fds: Buffer, n: number, t: number) => number;
  const close = lib.func("int close(int)") as (fd: number) => number;
  const ifNameToIndex = lib.func("unsigned int if_nametoindex(const char *)") as (n: string) => number;

  const link = spawnSync("ip", ["-j", "link", "show", "dev", o.ifname], { encoding: "utf8" });
  const srcMac = (JSON.parse(link.stdout) as { address: string }[])[0]?.address;
  const ifindex = ifNameToIndex(o.ifname);
  if (!srcMac || ifindex === 0) throw new Error(`no interface ${o.ifname} here`);
  const fd = socket(AF_PACKET, SOCK_RAW, ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8));
  if (fd < 0) throw new Error(`socket(AF_PACKET) failed, errno ${koffi.errno()}`);
  try {
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ALL, 2);
    sll.writeInt32LE(ifindex, 4);
    if (bind(fd, sll, sll.length) !== 0) throw new Error(`bind(AF_PACKET) failed, errno ${koffi.errno()}`);
    const srcPort = 40000 + (process.pid % 20000);
    const frame = synFrame(srcMac, o, srcPort);
    if (Number(send(fd, frame, frame.length, 0)) !== frame.length) throw new Error(`send failed, errno ${koffi.errno()}`);
    const deadline = Date.now() + (o.timeoutMs ?? 1500);
    const pfd = Buffer.alloc(8);
    const buf = Buffer.alloc(2048);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return "none";
      pfd.writeInt32LE(fd, 0);
      pfd.writeInt16LE(POLLIN, 4);
      pfd.writeInt16LE(0, 6);
      if (poll(pfd, 1, left) <= 0) continue;
      const n = Number(recv(fd, buf, buf.length, 0));
      if (n <= 0) continue;
      const a = answerIn(buf.subarray(0, n), o, srcPort);
      if (a) return a;
    }
  } finally {
    close(fd);
  }
}

/** rawSyn from inside `netns` (a namespace file): what came back. */
export function rawSyn(netns: string, o: RawSynOptions): SynAnswer {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync("nsenter", [`--net=${netns}`, process.execPath, self, JSON.stringify(o)], { encoding: "utf8" });
  const word = r.stdout.trim();
  if (r.status !== 0 || !["syn-ack", "rst", "none"].includes(word)) throw new Error(`raw-syn in ${netns} failed (${String(r.status)}): ${r.stderr}`);
  return word as SynAnswer;
}

/** The MAC address of an interface in this namespace (or in `netns`). */
export function macOf(ifname: string, netns?: string): string {
  const argv = ["ip", "-j", "link", "show", "dev", ifname];
  const r = spawnSync(netns ? "nsenter" : (argv[0] ?? ""), netns ? [`--net=${netns}`, ...argv] : argv.slice(1), { encoding: "utf8" });
  const mac = r.status === 0 ? (JSON.parse(r.stdout) as { address: string }[])[0]?.address : undefined;
  if (!mac) throw new Error(`no MAC for ${ifname}: ${r.stderr}`);
  return mac;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${sendSynHere(JSON.parse(process.argv[2] ?? "{}") as RawSynOptions)}\n`);
}
