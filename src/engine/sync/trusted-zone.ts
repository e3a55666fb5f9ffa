import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { driverOf } from "../network/drivers/index.js";

/**
 * On a host where firewalld runs, its own `table inet firewalld` rejects
 * what it has no zone for: a container's traffic out through the host
 * (forward) and to the resolver on the gateway (input), though Berth's
 * table accepts them (a packet must pass every base chain). As netavark
 * does, Berth binds each bridge network's subnets to firewalld's `trusted`
 * zone, in its runtime configuration only (gone when firewalld restarts
 * or reloads: Podman's `network reload`, a Berth attach or `berth system
 * reconcile` binds them again). A source bound before Berth came is never
 * unbound by Berth: the sources Berth bound are listed in
 * `<runDir>/firewalld-sources.json` (under /run: it goes with a reboot, as
 * firewalld's runtime configuration does).
 */
export const TRUSTED_ZONE = "trusted";
const RECORD_FILE = "firewalld-sources.json";

/** A source Berth bound to the trusted zone, and the network it is for. */
interface OwnedSource {
  readonly source: string;
  readonly network: string;
}

/** What a sync did (one line per change) and what it left alone with a reason. */
export interface TrustedZoneReport {
  readonly actions: string[];
  readonly problems: string[];
}

function recordPath(engine: Engine): string {
  return join(engine.paths.runDir, RECORD_FILE);
}

function readOwned(engine: Engine): OwnedSource[] {
  let text: string;
  try {
    text = readFileSync(recordPath(engine), "utf8");
  } catch {
    return [];
  }
  try {
    const v = JSON.parse(text) as { sources?: unknown };
    if (!Array.isArray(v.sources)) return [];
    return v.sources.filter(
      (s): s is OwnedSource =>
        typeof s === "object" && s !== null && typeof (s as OwnedSource).source === "string" && typeof (s as OwnedSource).network === "string",
    );
  } catch {
    return [];
  }
}

function writeOwned(engine: Engine, owned: readonly OwnedSource[]): void {
  const path = recordPath(engine);
  if (owned.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(engine.paths.runDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ sources: owned }, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, path);
}

/** The subnets (IPv4 and IPv6) of the networks whose traffic passes through the host's firewall: bridges. */
export function trustedSourcesOf(nets: readonly Network[]): OwnedSource[] {
  return nets
    .filter((n) => driverOf(n).throughHost)
    .flatMap((n) => [n.subnet, n.subnet6].filter((s): s is string => s !== undefined).map((source) => ({ source, network: n.name })));
}

/**
 * Bind `wanted` to the trusted zone where no zone holds it yet; leave a
 * source that is already in the trusted zone as it is (Berth's if the
 * record says so, else another's), and one another zone holds (the admin
 * chose it: reported, not moved).
 */
function bindMissing(engine: Engine, wanted: readonly OwnedSource[], owned: OwnedSource[], report: TrustedZoneReport): void {
  for (const w of wanted) {
    const zone = engine.firewalld.zoneOfSource(w.source);
    if (zone === TRUSTED_ZONE) continue;
    if (zone !== "") {
      report.problems.push(
        `subnet ${w.source} of network ${w.network} is in firewalld's zone "${zone}", not "${TRUSTED_ZONE}": Berth leaves it there, and that zone's rules apply to its containers`,
      );
      continue;
    }
    engine.firewalld.addSource(TRUSTED_ZONE, w.source);
    if (!owned.some((o) => o.source === w.source)) owned.push(w);
    // recorded at once: a later failure of this sync must not lose a source Berth bound
    writeOwned(engine, owned);
    report.actions.push(`added ${w.source} (network ${w.network}) to firewalld's ${TRUSTED_ZONE} zone`);
  }
}

/**
 * Make firewalld's trusted zone hold the subnets of the store's bridge
 * networks, and unbind those Berth bound for networks that are gone.
 * Nothing when firewalld does not run (one stat without a bus socket);
 * then the record is dropped too, as firewalld's runtime configuration is
 * gone with it. Throws FIREWALLD when firewalld refuses a change.
 */
export function syncTrustedZone(engine: Engine): TrustedZoneReport {
  const report: TrustedZoneReport = { actions: [], problems: [] };
  if (!engine.firewalld.running()) {
    if (existsSync(recordPath(engine))) writeOwned(engine, []);
    return report;
  }
  const wanted = trustedSourcesOf(engine.store.networks.list());
  const owned = readOwned(engine);
  bindMissing(engine, wanted, owned, report);
  for (const o of [...owned]) {
    if (wanted.some((w) => w.source === o.source)) continue;
    // the network is gone: unbind what Berth bound, if it is still in the trusted zone
    if (engine.firewalld.zoneOfSource(o.source) === TRUSTED_ZONE) {
      engine.firewalld.removeSource(TRUSTED_ZONE, o.source);
      report.actions.push(`removed ${o.source} (network ${o.network}) from firewalld's ${TRUSTED_ZONE} zone`);
    }
    owned.splice(owned.indexOf(o), 1);
    writeOwned(engine, owned);
  }
  return report;
}

/**
 * Bind these networks' subnets to the trusted zone if firewalld runs and
 * lost them (it restarted or reloaded): what a container's attach does,
 * as netavark's setup does for Podman's `network reload`. Unbinds nothing.
 * Where a bus runs without firewalld, its "no" is remembered for a few
 * seconds (Firewalld.runningForSetup) rather than asked on every setup.
 */
export function ensureTrustedSources(engine: Engine, nets: readonly Network[]): TrustedZoneReport {
  const report: TrustedZoneReport = { actions: [], problems: [] };
  const wanted = trustedSourcesOf(nets);
  if (wanted.length === 0 || !engine.firewalld.runningForSetup()) return report;
  bindMissing(engine, wanted, readOwned(engine), report);
  return report;
}

/** The sources Berth has bound to firewalld's trusted zone (for doctor and tests). */
export function ownedTrustedSources(engine: Engine): readonly OwnedSource[] {
  return readOwned(engine);
}
