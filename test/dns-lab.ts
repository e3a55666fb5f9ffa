// A small lab for the resolver daemon on the real kernel, inside the test
// sandbox: bridges with gateway addresses, container namespaces bound to
// files and wired to them with veths, the zone file the daemon serves, and
// the probe (src/dns/testing/probe.ts) run inside a namespace.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DnsNetwork, DnsZoneSnapshot } from "../src/dns/index.js";

export const DAEMON_MAIN = fileURLToPath(new URL("../src/dns/daemon-main.js", import.meta.url));
const PROBE = fileURLToPath(new URL("../src/dns/testing/probe.js", import.meta.url));

export function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

export interface ProbeResult {
  rcode?: string;
  answers?: string[];
}

export class DnsLab {
  readonly #dir: string;
  readonly #links: string[] = [];
  readonly #namespaces: string[] = [];
  readonly #children: ChildProcess[] = [];

  /** `dir`: a temp directory for the namespace files. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  bridge(name: string, cidr: string): void {
    sh("ip", "link", "add", name, "type", "bridge");
    this.#links.push(name);
    sh("ip", "addr", "add", cidr, "dev", name);
    sh("ip", "link", "set", name, "up");
  }

  /** A container namespace bound to a file, with eth0 on `br` at `cidr` and a default route via `gw`. */
  container(label: string, br: string, cidr: string, gw: string): string {
    const file = join(this.#dir, `ns-${label}`);
    writeFileSync(file, "");
    sh("unshare", `--net=${file}`, "true");
    this.#namespaces.push(file);
    const host = `vh-${label}`;
    sh("ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", file);
    this.#links.push(host);
    sh("ip", "link", "set", host, "master", br, "up");
    sh("nsenter", `--net=${file}`, "ip", "link", "set", "lo", "up");
    sh("nsenter", `--net=${file}`, "ip", "addr", "add", cidr, "dev", "eth0");
    sh("nsenter", `--net=${file}`, "ip", "link", "set", "eth0", "up");
    sh("nsenter", `--net=${file}`, "ip", "route", "add", "default", "via", gw);
    return file;
  }

  /** Run the probe in `ns` with `spec` and resolve with its JSON output. */
  probe(ns: string, spec: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const child = spawn("nsenter", [`--net=${ns}`, process.execPath, PROBE, JSON.stringify(spec)]);
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("close", (code) =>
        code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`probe failed (${String(code)}): ${err}`)),
      );
    });
  }

  /** One query from `ns`; a stub resolver's retries: up to `attempts` tries of 2 s. */
  async ask(ns: string, server: string, name: string, opts: { type?: string; proto?: "udp" | "tcp"; attempts?: number } = {}): Promise<ProbeResult> {
    let r: ProbeResult = {};
    for (let i = 0; i < (opts.attempts ?? 1); i++) {
      const out = await this.probe(ns, { server, queries: [{ name, type: opts.type ?? "A", proto: opts.proto ?? "udp" }] });
      r = (out["results"] as ProbeResult[])[0] ?? {};
      if (r.rcode !== undefined) return r;
    }
    return r;
  }

  /**
   * Start the probe in `ns` with a long-running spec (flood, hold): it
   * prints one JSON line per report and stops when its stdin closes.
   * Resolves with the child and a way to wait for a report.
   */
  start(ns: string, spec: object): { child: ChildProcess; next: () => Promise<Record<string, unknown>>; stop: () => Promise<Record<string, unknown>> } {
    const child = spawn("nsenter", [`--net=${ns}`, process.execPath, PROBE, JSON.stringify(spec)], { stdio: ["pipe", "pipe", "pipe"] });
    this.#children.push(child);
    const lines: string[] = [];
    const waiters: ((l: string) => void)[] = [];
    let buf = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const w = waiters.shift();
        if (w) w(line);
        else lines.push(line);
      }
    });
    const exited = new Promise<void>((r) => child.once("close", () => r()));
    const next = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const l = lines.shift();
        if (l !== undefined) return resolve(JSON.parse(l) as Record<string, unknown>);
        waiters.push((x) => resolve(JSON.parse(x) as Record<string, unknown>));
        void exited.then(() => reject(new Error(`probe ended: ${err}`)));
      });
    /** Close its stdin and resolve with its last line, once it has exited. */
    const stop = async () => {
      waiters.length = 0;
      child.stdin!.end();
      await exited;
      const last = lines.at(-1);
      if (last === undefined) throw new Error(`probe printed nothing at the end: ${err}`);
      return JSON.parse(last) as Record<string, unknown>;
    };
    return { child, next, stop };
  }

  dispose(): void {
    for (const c of this.#children) c.kill("SIGKILL");
    for (const l of this.#links) spawnSync("ip", ["link", "del", l]);
    for (const ns of this.#namespaces) spawnSync("umount", [ns]);
  }
}

/** Publish `networks` as the zone (atomic replace), as the engine does. */
export function writeZone(runDir: string, networks: DnsNetwork[]): void {
  const dir = join(runDir, "dns");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, "zone.json");
  const zone: DnsZoneSnapshot = { version: 1, networks };
  writeFileSync(`${file}.tmp`, JSON.stringify(zone));
  renameSync(`${file}.tmp`, file);
}

/** Poll `cond` every 20 ms until it holds, or fail after `ms`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
