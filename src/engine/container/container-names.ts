import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "brave",
  "calm",
  "eager",
  "fancy",
  "gentle",
  "happy",
  "jolly",
  "keen",
  "lucid",
  "merry",
  "nimble",
  "proud",
  "quiet",
  "rapid",
  "sharp",
  "tidy",
  "vivid",
  "witty",
  "zesty",
  "bold",
];
const NOUNS = [
  "anchor",
  "beacon",
  "buoy",
  "cargo",
  "dock",
  "ferry",
  "harbor",
  "jetty",
  "keel",
  "lighthouse",
  "mooring",
  "pier",
  "quay",
  "rudder",
  "schooner",
  "tugboat",
  "wharf",
  "dinghy",
  "mast",
  "hull",
];

/** A Podman-style generated name such as "jolly_ferry". */
export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)] ?? "quiet"}_${NOUNS[randomInt(NOUNS.length)] ?? "berth"}`;
    const candidate = i < 50 ? name : `${name}${randomInt(1000)}`;
    if (!taken(candidate)) return candidate;
  }
  return `berth_${Date.now().toString(36)}`;
}
