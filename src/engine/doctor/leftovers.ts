import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { NETNS_PREFIX, VETH_PREFIX } from "../network/names.js";
import { BERTH_BRIDGE_MARK, isBerthBridge } from "../network/bridge-mark.js";
import { interruptedContainers } from "../commands/repair.js";
import type { DoctorScope, Finding } from "./finding.js";

const RECONCILE = "berth system reconcile";

export interface LeftoverInput {
  /** Host links: name, kind ("veth", "bridge", ...) and alias (Berth marks the bridges it makes). */
  readonly links: readonly { readonly name: string; readonly kind: string | undefined; readonly alias?: string | undefined }[];
  /** Host veth names of the store's attachments. */
  readonly wantedVeths: ReadonlySet<string>;
  /** Bridge names of the store's networks. */
  readonly wantedBridges: ReadonlySet<string>;
  readonly netnsDir: string;
  /** File names in the netns directory. */
  readonly netnsFiles: readonly string[];
  /** Netns paths the store's containers use. */
  readonly wantedNetns: ReadonlySet<string>;
  /** Containers whose run or rm was interrupted (dead owner). */
  readonly interrupted: readonly Container[];
}

/** LEFTOVER_VETH, LEFTOVER_BRIDGE, LEFTOVER_NETNS and INTERRUPTED_CONTAINER findings (what a crash leaves). */
export function leftoverFindings(input: LeftoverInput): Finding[] {
  const out: Finding[] = [];
  for (const l of input.links) {
    if (l.kind === "veth" && l.name.startsWith(VETH_PREFIX) && !input.wantedVeths.has(l.name)) {
      out.push({
        code: "LEFTOVER_VETH",
        severity: "warning",
        summary: `Host interface ${l.name} looks like a Berth veth but belongs to no container (left by a crash)`,
        evidence: `veth ${l.name} on the host; no attachment in the store uses it`,
        fix: RECONCILE,
      });
    }
    if (isBerthBridge({ kind: l.kind, name: l.name, alias: l.alias }) && !input.wantedBridges.has(l.name)) {
      out.push({
        code: "LEFTOVER_BRIDGE",
        severity: "warning",
        summary: `Bridge ${l.name} was made by Berth but no network uses it (left by a crash or a removed state database)`,
        evidence: `bridge ${l.name} on the host${l.alias === BERTH_BRIDGE_MARK ? ` with Berth's mark (alias "${BERTH_BRIDGE_MARK}")` : ""}; no network in the store has it`,
        fix: RECONCILE,
      });
    }
  }
  for (const f of input.netnsFiles) {
    const p = join(input.netnsDir, f);
    if (!f.startsWith(NETNS_PREFIX) || input.wantedNetns.has(p)) continue;
    out.push({
      code: "LEFTOVER_NETNS",
      severity: "warning",
      summary: `Network namespace ${f} belongs to no container (left by a crash)`,
      evidence: `${p} exists; no container in the store uses it`,
      fix: RECONCILE,
    });
  }
  for (const c of input.interrupted) {
    out.push({
      code: "INTERRUPTED_CONTAINER",
      severity: "warning",
      summary:
        c.status === "running"
          ? `Foreground container ${c.name} lost the berth process attached to it (it died); nothing will clean up after it`
          : `Container ${c.name} was left half-${c.status === "removing" ? "removed" : "created"}: the berth process working on it died`,
      evidence: `status ${c.status}, owner pid ${c.ownerPid ?? "none"} is not running`,
      fix: RECONCILE,
    });
  }
  return out;
}

function listDir(dir: string): string[] {
  try {
    return existsSync(dir) ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}

/** Check 7: kernel objects named like Berth's that the store does not know, and interrupted containers. */
export function checkLeftovers(engine: Engine, scope: DoctorScope): Finding[] {
  const s = engine.store;
  const interrupted = interruptedContainers(engine);
  if (!scope.wholeHost) {
    const ids = new Set(scope.containers.map((c) => c.id));
    return leftoverFindings({
      links: [],
      wantedVeths: new Set(),
      wantedBridges: new Set(),
      netnsDir: engine.paths.netnsDir,
      netnsFiles: [],
      wantedNetns: new Set(),
      interrupted: interrupted.filter((c) => ids.has(c.id)),
    });
  }
  return leftoverFindings({
    links: engine.host.linkList(),
    wantedVeths: new Set(s.attachments.all().map((a) => a.hostVeth)),
    wantedBridges: new Set(s.networks.list().map((n) => n.bridge)),
    netnsDir: engine.paths.netnsDir,
    netnsFiles: listDir(engine.paths.netnsDir),
    wantedNetns: new Set(s.containers.list().flatMap((c) => (c.netns === undefined ? [] : [c.netns]))),
    interrupted,
  });
}
