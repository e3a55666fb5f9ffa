// The temporary tables `berth trace --probe` adds while one probe runs:
// `inet berth_probe_PID` and `bridge berth_probe_PID`. A chain at every hook,
// first of all chains there (priority INT_MIN), sets nftrace on the probe
// alone (its exact addresses, ports and cookie) and reports each hook the
// packet reaches; two chains after conntrack (priority -150) trace the
// flow's replies. Nothing else is traced; the tables go when the probe ends.
import { processAlive } from "../process-alive.js";
import { NftApplier } from "./nft-applier.js";
import { formatIpv4, parseIpv4 } from "../model/ipv4.js";

export const PROBE_TABLE_PREFIX = "berth_probe_";
/** NF_IP_PRI_FIRST: before every other chain on the hook. */
export const PROBE_PRIORITY = -2147483648;
/** After conntrack (-200), before NAT (-100): where a reply's conntrack entry is known. */
export const PROBE_REPLY_PRIORITY = -150;
export const PROBE_HOOKS = ["prerouting", "input", "forward", "output", "postrouting"] as const;
export const PROBE_FAMILIES = ["inet", "bridge"] as const;

/** The probe packet the tables trace: its original direction. */
export interface ProbeMatch {
  readonly proto: "tcp" | "udp";
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly cookie: number;
}

export function probeTableName(pid: number = process.pid): string {
  return `${PROBE_TABLE_PREFIX}${pid}`;
}

function checked(m: ProbeMatch): ProbeMatch {
  // re-format: only dotted quads and integers reach the script
  const port = (p: number) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`port ${p} is outside 1-65535`);
    return p;
  };
  if (!Number.isInteger(m.cookie) || m.cookie < 0 || m.cookie > 0xffffffff) throw new RangeError(`cookie ${m.cookie} is not 32 bits`);
  return {
    proto: m.proto === "udp" ? "udp" : "tcp",
    src: formatIpv4(parseIpv4(m.src)),
    dst: formatIpv4(parseIpv4(m.dst)),
    sport: port(m.sport),
    dport: port(m.dport),
    cookie: m.cookie,
  };
}

/** The match for the probe itself: addresses, ports and the cookie (TCP sequence number, or the UDP payload's first 4 bytes). */
export function probeMatchText(m: ProbeMatch): string {
  const c = checked(m);
  const cookie = `0x${c.cookie.toString(16).padStart(8, "0")}`;
  const marked = c.proto === "tcp" ? `tcp sequence ${cookie}` : `@th,64,32 ${cookie}`;
  return `ip saddr ${c.src} ip daddr ${c.dst} ${c.proto} sport ${c.sport} ${c.proto} dport ${c.dport} ${marked}`;
}

/** The match for the probe's replies (and ICMP errors about it): packets of its conntrack entry going back. */
export function replyMatchText(m: ProbeMatch): string {
  const c = checked(m);
  // nft 1.0.6 takes proto-src in an inet table only after `meta nfproto` and `ct original protocol`, before the addresses
  return `meta nfproto ipv4 ct direction reply ct original protocol ${c.proto} ct original proto-src ${c.sport} ct original proto-dst ${c.dport} ct original ip saddr ${c.src} ct original ip daddr ${c.dst}`;
}

/** The script that adds both tables (one transaction). */
export function renderProbeTables(name: string, m: ProbeMatch): string {
  const traceRule = `${probeMatchText(m)} meta nftrace set 1`;
  const replyRule = `${replyMatchText(m)} meta nftrace set 1`;
  const lines: string[] = [];
  for (const family of PROBE_FAMILIES) {
    lines.push(`table ${family} ${name} {`);
    for (const hook of PROBE_HOOKS) {
      lines.push(`\tchain ${hook} {`, `\t\ttype filter hook ${hook} priority ${PROBE_PRIORITY}; policy accept;`);
      if (hook === "prerouting" || (hook === "output" && family === "inet")) lines.push(`\t\t${family === "bridge" ? "ether type ip " : ""}${traceRule}`);
      lines.push("\t}");
    }
    if (family === "inet") {
      for (const hook of ["prerouting", "output"]) {
        lines.push(`\tchain reply_${hook} {`, `\t\ttype filter hook ${hook} priority ${PROBE_REPLY_PRIORITY}; policy accept;`, `\t\t${replyRule}`, "\t}");
      }
    }
    lines.push("}");
  }
  return `${lines.join("\n")}\n`;
}

/** The script that removes both tables; fine when they are already gone. */
export function renderDeleteProbeTables(name: string): string {
  return PROBE_FAMILIES.map((f) => `add table ${f} ${name}\ndelete table ${f} ${name}\n`).join("");
}

/**
 * Probe tables left by a berth process that is gone (killed while its
 * probe ran), from `nft -j list tables` objects: their names.
 */
export function staleProbeTables(tables: readonly { family: string; name: string }[]): string[] {
  const out = new Set<string>();
  for (const t of tables) {
    const m = /^berth_probe_([0-9]+)$/.exec(t.name);
    if (m && !processAlive(Number(m[1]))) out.add(t.name);
  }
  return [...out];
}

/** Adds and removes the probe's tables, one nft transaction each. */
export class ProbeTables {
  readonly #nft: NftApplier;
  readonly name: string;

  constructor(name = probeTableName(), applier = new NftApplier()) {
    this.name = name;
    this.#nft = applier;
  }

  /** Names of probe tables whose berth process is gone (killed while its probe ran). Equivalent to: nft list tables */
  stale(): string[] {
    const tables = this.#nft.listJson("tables").flatMap((o) => {
      const t = o["table"] as { family?: unknown; name?: unknown } | undefined;
      return typeof t?.family === "string" && typeof t.name === "string" ? [{ family: t.family, name: t.name }] : [];
    });
    return staleProbeTables(tables);
  }

  /** Remove the tables of probes whose berth process is gone; returns their names. */
  sweepStale(): string[] {
    const stale = this.stale();
    for (const name of stale) this.#nft.apply(renderDeleteProbeTables(name), `Cannot remove the stale probe tables ${name}`);
    return stale;
  }

  add(m: ProbeMatch): void {
    this.#nft.apply(renderProbeTables(this.name, m), "Cannot add the probe's nftables tables");
  }

  remove(): void {
    this.#nft.apply(
      renderDeleteProbeTables(this.name),
      `Cannot remove the probe's nftables tables ${this.name} (remove them with \`nft delete table inet ${this.name}\` and \`nft delete table bridge ${this.name}\`)`,
    );
  }

  close(): void {
    this.#nft.close();
  }
}
