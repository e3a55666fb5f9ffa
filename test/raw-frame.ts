// Hand-made Ethernet frames for anti-spoofing tests: what a container with
// CAP_NET_RAW can put on its link (any source MAC, any sender address in
// ARP, any IPv4 or IPv6 source, neighbour advertisements for any target).
// The builders are pure; sendFrames() sends them on an AF_PACKET socket
// from inside a namespace (this file runs itself there under nsenter).
import { spawnSync } from "node:child_process";
import { isIPv6 } from "node:net";
import { fileURLToPath } from "node:url";
import { koffi } from "../src/native/koffi.js";

const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;
const ETH_P_IPV6 = 0x86dd;

const mac = (m: string): Buffer => Buffer.from(m.split(":").map((h) => parseInt(h, 16)));
const ip4 = (ip: string): Buffer => Buffer.from(ip.split(".").map(Number));

/** An IPv6 address as 16 bytes (via the `::` expansion the URL parser does). */
function ip6(ip: string): Buffer {
  if (!isIPv6(ip)) throw new Error(`not an IPv6 address: ${ip}`);
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = ip.includes("::") ? [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2 === 1) sum += (buf[buf.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ether(dst: string, src: string, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  mac(dst).copy(h, 0);
  mac(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export interface FrameEnds {
  /** Ethernet source (the sender's own MAC, or someone else's to spoof). */
  readonly ethSrc: string;
  readonly ethDst: string;
}

/** An ARP reply: "senderIp is at senderMac", to targetIp/targetMac. */
export function arpReply(e: FrameEnds, o: { senderMac: string; senderIp: string; targetMac: string; targetIp: string }): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0); // Ethernet
  a.writeUInt16BE(ETH_P_IP, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(2, 6); // reply
  mac(o.senderMac).copy(a, 8);
  ip4(o.senderIp).copy(a, 14);
  mac(o.targetMac).copy(a, 18);
  ip4(o.targetIp).copy(a, 24);
  return ether(e.ethDst, e.ethSrc, ETH_P_ARP, a);
}

/** A UDP datagram over IPv4. */
export function udp4(e: FrameEnds, o: { src: string; dst: string; sport: number; dport: number; data: string }): Buffer {
  const body = Buffer.from(o.data);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(o.sport, 0);
  udp.writeUInt16BE(o.dport, 2);
  udp.writeUInt16BE(8 + body.length, 4);
  const seg = Buffer.concat([udp, body]);
  const pseudo = Buffer.concat([ip4(o.src), ip4(o.dst), Buffer.from([0, 17]), Buffer.from([seg.length >> 8, seg.length & 0xff]), seg]);
  seg.writeUInt16BE(checksum(pseudo) || 0xffff, 6);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + seg.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  ip4(o.src).copy(ip, 12);
  ip4(o.dst).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return ether(e.ethDst, e.ethSrc, ETH_P_IP, Buffer.concat([ip, seg]));
}

function ipv6Packet(e: FrameEnds, src: string, dst: string, next: number, hopLimit: number, l4: Buffer, checksumAt: number): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(l4.length, 0);
  const pseudo = Buffer.concat([ip6(src), ip6(dst), len, Buffer.from([0, 0, 0, next]), l4]);
  l4.writeUInt16BE(checksum(pseudo) || (next === 17 ? 0xffff : 0), checksumAt);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(l4.length, 4);
  h[6] = next;
  h[7] = hopLimit;
  ip6(src).copy(h, 8);
  ip6(dst).copy(h, 24);
  return ether(e.ethDst, e.ethSrc, ETH_P_IPV6, Buffer.concat([h, l4]));
}

/** A UDP datagram over IPv6. */
export function udp6(e: FrameEnds, o: { src: string; dst: string; sport: number; dport: number; data: string }): Buffer {
  const body = Buffer.from(o.data);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(o.sport, 0);
  udp.writeUInt16BE(o.dport, 2);
  udp.writeUInt16BE(8 + body.length, 4);
  return ipv6Packet(e, o.src, o.dst, 17, 64, Buffer.concat([udp, body]), 6);
}

/** An unsolicited neighbour advertisement (override set): "target is at lladdr", to all nodes. */
export function neighbourAdvert(e: FrameEnds, o: { src: string; target: string; lladdr: string }): Buffer {
  const na = Buffer.alloc(32);
  na[0] = 136; // neighbour advertisement
  na.writeUInt32BE(0x20000000, 4); // override
  ip6(o.target).copy(na, 8);
  na[24] = 2; // target link-layer address option
  na[25] = 1;
  mac(o.lladdr).copy(na, 26);
  return ipv6Packet(e, o.src, "ff02::1", 58, 255, na, 2);
}

/** Send frames, in order, on `ifname` of the namespace this runs in. */
function sendHere(ifname: string, frames: readonly Buffer[]): void {
  const lib = koffi.load("libc.so.6");
  const socket = lib.func("int socket(int, int, int)") as (d: number, t: number, p: number) => number;
  const bind = lib.func("int bind(int, void *, uint32_t)") as (fd: number, a: Buffer, l: number) => number;
  const send = lib.func("intptr_t send(int, void *, size_t, int)") as (fd: number, b: Buffer, l: number, f: number) => number | bigint;
  const close = lib.func("int close(int)") as (fd: number) => number;
  const ifNameToIndex = lib.func("unsigned int if_nametoindex(const char *)") as (n: string) => number;
  const AF_PACKET = 17;
  const ETH_P_ALL = 0x0003;
  const ifindex = ifNameToIndex(ifname);
  if (ifindex === 0) throw new Error(`no interface ${ifname} here`);
  const fd = socket(AF_PACKET, 3, ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8));
  if (fd < 0) throw new Error(`socket(AF_PACKET) failed, errno ${koffi.errno()}`);
  try {
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ALL, 2);
    sll.writeInt32LE(ifindex, 4);
    if (bind(fd, sll, sll.length) !== 0) throw new Error(`bind(AF_PACKET) failed, errno ${koffi.errno()}`);
    for (const f of frames) if (Number(send(fd, f, f.length, 0)) !== f.length) throw new Error(`send failed, errno ${koffi.errno()}`);
  } finally {
    close(fd);
  }
}

/** Send frames from inside `netns` (a namespace file) on its `ifname`, as a container with CAP_NET_RAW can. */
export function sendFrames(netns: string, ifname: string, frames: readonly Buffer[]): void {
  const self = fileURLToPath(import.meta.url);
  const arg = JSON.stringify({ ifname, frames: frames.map((f) => f.toString("hex")) });
  const r = spawnSync("nsenter", [`--net=${netns}`, process.execPath, self, arg], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`raw-frame in ${netns} failed (${String(r.status)}): ${r.stderr}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const o = JSON.parse(process.argv[2] ?? "{}") as { ifname: string; frames: string[] };
  sendHere(
    o.ifname,
    o.frames.map((h) => Buffer.from(h, "hex")),
  );
}
