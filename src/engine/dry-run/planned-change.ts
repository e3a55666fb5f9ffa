/** One change a verb would make, printed by --dry-run instead of being made. */
export interface PlannedChange {
  /** What it touches: the state database, a kernel object, the nft table, firewalld's zones, DNS, the runtime. */
  readonly kind: "state" | "namespace" | "link" | "address" | "route" | "sysctl" | "nft" | "firewalld" | "dns" | "runtime";
  readonly text: string;
}

/** Collects the changes of a dry run: the recording kernel, firewall, runtime and resolver add to it. */
export class ChangePlan {
  readonly changes: PlannedChange[] = [];

  add(kind: PlannedChange["kind"], text: string): void {
    this.changes.push({ kind, text });
  }
}

/** The plan as text: one line per change, its kind first, then a reminder that nothing changed. */
export function renderPlan(verb: string, changes: readonly PlannedChange[]): string {
  const width = Math.max(0, ...changes.map((c) => c.kind.length));
  const lines = changes.map((c) => `  ${c.kind.padEnd(width)}  ${c.text}`);
  return `${verb} would make these changes (--dry-run: nothing was changed):\n${lines.join("\n") || "  (none)"}\n`;
}
