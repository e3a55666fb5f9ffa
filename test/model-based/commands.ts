// The commands of the model-based test: each is one berth CLI call,
// optionally killed at a BERTH_FAULT step. Each predicts from the model
// whether it must succeed or fail (with which error), applies its effect to
// the model, and then the whole system is checked against the model.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { BerthSandbox, CliResult } from "../berth-cli.js";
import { checkSystem } from "./check.js";
import { ALIASES, BerthModel, CONTAINERS, HOST_PORTS, NETS, STATIC_OCTETS, netSpec, portSpec, portsClash, staticIp, type PortModel } from "./model.js";

export interface RealBerth {
  readonly b: BerthSandbox;
  readonly root: string;
  /** Every command line run so far in this sequence, with its outcome (printed on failure). */
  readonly transcript: string[];
}

/** How the system is repaired after a crash: the next command of any kind, or `berth system reconcile` (see docs/reliability.md). */
type Recovery = "next-command" | "reconcile";

/** What a command should do, from the model's point of view. */
type Prediction = { readonly fails: RegExp } | { readonly fails: undefined };

abstract class BerthCommand implements fc.Command<BerthModel, RealBerth> {
  constructor(readonly fault: string | undefined) {}

  abstract args(): string[];
  /** The error the command must fail with in this model state, if any. */
  abstract predict(m: BerthModel): Prediction;
  /** The change a successful run makes to the model. */
  abstract apply(m: BerthModel): void;
  /** The change a run killed at the fault step makes, once repaired. */
  abstract applyCrash(m: BerthModel): void;
  abstract readonly recovery: Recovery;

  check(): boolean {
    return true;
  }

  /** What a successful run must print, beyond exiting 0. */
  checkOutput(_res: CliResult): void {
    // nothing by default
  }

  run(m: BerthModel, r: RealBerth): void {
    const p = this.predict(m);
    const res: CliResult = this.fault ? r.b.runWith({ BERTH_FAULT: this.fault }, ...this.args()) : r.b.run(...this.args());
    r.transcript.push(`${this.toString()}  -> exit ${res.code}${res.code !== 0 ? `: ${res.stderr.trim().split("\n")[0] ?? ""}` : ""}`);
    try {
      if (p.fails && !(this.fault && res.code === 137)) {
        assert.equal(res.code, 125, `${this.toString()} must fail with ${p.fails} (stderr: ${res.stderr})`);
        assert.match(res.stderr, p.fails);
        assert.match(res.stderr, /^Hint: /m, "the error says what to do");
      } else if (this.fault) {
        assert.equal(res.code, 137, `${this.toString()} must be killed at ${this.fault} (stderr: ${res.stderr})`);
        this.applyCrash(m);
        const repair = this.recovery === "reconcile" ? r.b.run("system", "reconcile") : r.b.run("ps", "-a", "-q");
        r.transcript.push(`  repaired by ${this.recovery === "reconcile" ? "berth system reconcile" : "berth ps -a -q"} -> exit ${repair.code}`);
        assert.equal(repair.code, 0, `repair after the crash: ${repair.stderr}`);
      } else {
        assert.equal(res.code, 0, `${this.toString()} must succeed (stderr: ${res.stderr})`);
        this.checkOutput(res);
        this.apply(m);
      }
      checkSystem(r.root, m);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nmodel: ${m.describe()}\ncommands so far:\n  ${r.transcript.join("\n  ")}`, { cause: e });
    }
  }

  toString(): string {
    return `${this.fault ? `BERTH_FAULT=${this.fault} ` : ""}berth ${this.args().join(" ")}`;
  }
}

const missingNetwork = (n: string) => new RegExp(`Network "${n}" does not exist`);
const missingContainer = (n: string) => new RegExp(`Container "${n}" does not exist`);
const ok: Prediction = { fails: undefined };

export class NetworkCreate extends BerthCommand {
  readonly recovery = "reconcile";
  constructor(
    readonly name: string,
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    const n = netSpec(this.name);
    return ["network", "create", "--subnet", n.subnet, ...(n.dns ? [] : ["--disable-dns"]), ...(n.internal ? ["--internal"] : []), n.name];
  }
  predict(m: BerthModel): Prediction {
    return m.networks.has(this.name) ? { fails: /a network with that name already exists/ } : ok;
  }
  apply(m: BerthModel): void {
    m.networks.add(this.name);
  }
  applyCrash(): void {
    // killed before the row committed: no network
  }
}

export class NetworkRm extends BerthCommand {
  readonly recovery = "reconcile";
  constructor(
    readonly name: string,
    readonly force: boolean,
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    return ["network", "rm", ...(this.force ? ["-f"] : []), this.name];
  }
  predict(m: BerthModel): Prediction {
    if (!m.networks.has(this.name)) return { fails: missingNetwork(this.name) };
    if (!this.force && m.usersOf(this.name).length > 0) return { fails: /used by container/ };
    return ok;
  }
  apply(m: BerthModel): void {
    for (const c of m.usersOf(this.name)) m.containers.delete(c.name);
    m.networks.delete(this.name);
  }
  applyCrash(m: BerthModel): void {
    // killed after the containers and the rows went
    this.apply(m);
  }
}

export interface RunNet {
  readonly net: string;
  readonly octet: number | undefined;
  readonly alias: string | undefined;
}

export class Run extends BerthCommand {
  readonly recovery = "next-command";
  constructor(
    readonly name: string,
    readonly nets: readonly RunNet[],
    readonly ports: readonly PortModel[],
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    const nets = this.nets.flatMap((n) => {
      const opts = [...(n.octet === undefined ? [] : [`ip=${staticIp(n.net, n.octet)}`]), ...(n.alias === undefined ? [] : [`alias=${n.alias}`])];
      return ["--network", opts.length > 0 ? `${n.net}:${opts.join(",")}` : n.net];
    });
    return ["run", "-d", "--name", this.name, ...nets, ...this.ports.flatMap((p) => ["-p", portSpec(p)]), "sleep", "3600"];
  }
  predict(m: BerthModel): Prediction {
    if (m.containers.has(this.name)) return { fails: /the name is in use by container/ };
    for (const n of this.nets) if (!m.networks.has(n.net)) return { fails: missingNetwork(n.net) };
    for (const [i, p] of this.ports.entries()) {
      if (this.ports.slice(0, i).some((q) => portsClash(p, q))) return { fails: /is given twice/ };
      const holder = m.portHolder(p);
      if (holder) return { fails: new RegExp(`already published by container ${holder} `) };
    }
    for (const n of this.nets) {
      if (n.octet === undefined) continue;
      const holder = m.ipHolder(n.net, staticIp(n.net, n.octet));
      if (holder) return { fails: new RegExp(`it is already assigned to container ${holder}`) };
    }
    return ok;
  }
  apply(m: BerthModel): void {
    m.containers.set(this.name, {
      name: this.name,
      attachments: this.nets.map((n) => ({
        net: n.net,
        ip: n.octet === undefined ? undefined : staticIp(n.net, n.octet),
        staticIp: n.octet !== undefined,
        aliases: n.alias === undefined ? [] : [n.alias],
      })),
      ports: [...this.ports],
    });
  }
  applyCrash(): void {
    // an interrupted run is rolled back
  }
}

export class Rm extends BerthCommand {
  readonly recovery = "next-command";
  constructor(
    readonly name: string,
    readonly force: boolean,
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    return ["rm", ...(this.force ? ["-f"] : []), this.name];
  }
  predict(m: BerthModel): Prediction {
    if (!m.containers.has(this.name)) return { fails: missingContainer(this.name) };
    if (!this.force) return { fails: /it is running/ };
    return ok;
  }
  apply(m: BerthModel): void {
    m.containers.delete(this.name);
  }
  applyCrash(m: BerthModel): void {
    // an interrupted rm is finished
    this.apply(m);
  }
}

export class Connect extends BerthCommand {
  readonly recovery = "reconcile";
  constructor(
    readonly net: string,
    readonly ctr: string,
    readonly octet: number | undefined,
    readonly alias: string | undefined,
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    return [
      "network",
      "connect",
      ...(this.octet === undefined ? [] : ["--ip", staticIp(this.net, this.octet)]),
      ...(this.alias === undefined ? [] : ["--alias", this.alias]),
      this.net,
      this.ctr,
    ];
  }
  predict(m: BerthModel): Prediction {
    if (!m.networks.has(this.net)) return { fails: missingNetwork(this.net) };
    const c = m.containers.get(this.ctr);
    if (!c) return { fails: missingContainer(this.ctr) };
    if (c.attachments.some((a) => a.net === this.net)) return { fails: /is already connected to network/ };
    if (this.octet !== undefined) {
      const holder = m.ipHolder(this.net, staticIp(this.net, this.octet));
      if (holder) return { fails: new RegExp(`it is already assigned to container ${holder}`) };
    }
    return ok;
  }
  apply(m: BerthModel): void {
    const c = m.containers.get(this.ctr);
    c?.attachments.push({
      net: this.net,
      ip: this.octet === undefined ? undefined : staticIp(this.net, this.octet),
      staticIp: this.octet !== undefined,
      aliases: this.alias === undefined ? [] : [this.alias],
    });
  }
  applyCrash(m: BerthModel): void {
    // attach:after-veth dies inside the transaction (no attachment); connect:after-attach after it committed
    if (this.fault === "connect:after-attach") this.apply(m);
  }
}

export class Disconnect extends BerthCommand {
  readonly recovery = "reconcile";
  constructor(
    readonly net: string,
    readonly ctr: string,
    fault: string | undefined,
  ) {
    super(fault);
  }
  args(): string[] {
    return ["network", "disconnect", this.net, this.ctr];
  }
  predict(m: BerthModel): Prediction {
    if (!m.networks.has(this.net)) return { fails: missingNetwork(this.net) };
    const c = m.containers.get(this.ctr);
    if (!c) return { fails: missingContainer(this.ctr) };
    if (!c.attachments.some((a) => a.net === this.net)) return { fails: /is not connected to network/ };
    return ok;
  }
  apply(m: BerthModel): void {
    const c = m.containers.get(this.ctr);
    if (!c) return;
    const i = c.attachments.findIndex((a) => a.net === this.net);
    if (i >= 0) c.attachments.splice(i, 1);
  }
  applyCrash(m: BerthModel): void {
    this.apply(m);
  }
}

/** `berth system reconcile` on a consistent host has nothing to do. */
export class Reconcile extends BerthCommand {
  readonly recovery = "reconcile";
  constructor() {
    super(undefined);
  }
  args(): string[] {
    return ["system", "reconcile"];
  }
  predict(): Prediction {
    return ok;
  }
  apply(): void {
    // nothing
  }
  applyCrash(): void {
    // never crashed
  }
  override checkOutput(res: CliResult): void {
    assert.equal(res.stdout.trim(), "nothing to repair", "reconcile on a consistent host has nothing to do");
  }
}

// --- arbitraries

/** A fault step, about one command in six. */
function faultOf(steps: readonly string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...steps) });
}

const netName = fc.constantFrom(...NETS.map((n) => n.name));
const ctrName = fc.constantFrom(...CONTAINERS);
const octet = fc.option(fc.constantFrom(...STATIC_OCTETS), { freq: 3 });
const alias = fc.option(fc.constantFrom(...ALIASES), { freq: 3 });
const port: fc.Arbitrary<PortModel> = fc.record({
  proto: fc.constantFrom("tcp" as const, "udp" as const),
  hostIp: fc.constantFrom("0.0.0.0" as const, "127.0.0.1" as const),
  hostPort: fc.constantFrom(...HOST_PORTS),
  containerPort: fc.constantFrom(80, 8080),
});
const runNets: fc.Arbitrary<RunNet[]> = fc.uniqueArray(
  fc.record({ net: netName, octet: octet.map((o) => o ?? undefined), alias: alias.map((a) => a ?? undefined) }),
  { minLength: 1, maxLength: 2, selector: (n) => n.net },
);

export const commandArbitraries: fc.Arbitrary<fc.Command<BerthModel, RealBerth>>[] = [
  ...Array.from({ length: 3 }, () => fc.tuple(netName, faultOf(["network-create:after-insert"])).map(([n, f]) => new NetworkCreate(n, f))),
  fc.tuple(netName, fc.boolean(), faultOf(["network-rm:after-rows"])).map(([n, force, f]) => new NetworkRm(n, force, f)),
  // runs are the most common command, so that containers pile up
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(ctrName, runNets, fc.array(port, { maxLength: 2 }), faultOf(["run:after-netns", "attach:after-veth", "run:after-attach", "run:before-start"]))
      .map(([n, nets, ports, f]) => new Run(n, nets, ports, f)),
  ),
  fc.tuple(ctrName, fc.boolean(), faultOf(["rm:after-runtime", "rm:after-network"])).map(([n, force, f]) => new Rm(n, force, f)),
  fc
    .tuple(netName, ctrName, octet, alias, faultOf(["attach:after-veth", "connect:after-attach"]))
    .map(([n, c, o, a, f]) => new Connect(n, c, o ?? undefined, a ?? undefined, f)),
  fc.tuple(netName, ctrName, faultOf(["disconnect:after-detach"])).map(([n, c, f]) => new Disconnect(n, c, f)),
  fc.constant(new Reconcile()),
];
