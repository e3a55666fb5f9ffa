import { BerthError } from "../errors.js";
import { randomBytes } from "node:crypto";

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function parseMac(text: string): string {
  if (!MAC.test(text)) {
    throw new BerthError("INVALID_ADDRESS", `Invalid MAC address "${text}"`, {
      hint: "Write six hex bytes separated by colons, like 92:d0:c6:0a:29:33",
    });
  }
  const first = parseInt(text.slice(0, 2), 16);
  if (first & 1) {
    throw new BerthError("INVALID_ADDRESS", `Invalid MAC address "${text}": it is a multicast address`, {
      hint: "The lowest bit of the first byte must be 0 (use e.g. 92:... or 02:...)",
    });
  }
  return text.toLowerCase();
}

/** A random locally administered unicast MAC. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = ((b[0] ?? 0) & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

export function macToBytes(mac: string): Buffer {
  return Buffer.from(mac.split(":").map((h) => parseInt(h, 16)));
}

export function macFromBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}
