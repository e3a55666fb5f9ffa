import type { ProbeHop, ProbeResult } from "./probe-result.js";
import { describeConntrack } from "./probe-analysis.js";

function hopLine(h: ProbeHop): string {
  if (h.kind === "hook") {
    const dev = [h.iif ? `iif ${h.iif}` : "", h.oif ? `oif ${h.oif}` : ""].filter(Boolean).join(" ");
    return `  ${h.family} ${h.hook}${dev ? ` (${dev})` : ""}: ${h.packet ?? ""}`;
  }
  const where = `${h.family} ${h.table ?? ""} chain ${h.chain ?? ""}`;
  if (h.kind === "policy") return `      ${where}: policy ${h.verdict ?? "?"}`;
  if (h.kind === "return") return `      ${where}: return`;
  return `      ${where}: rule '${h.rule ?? "?"}' (handle ${h.handle ?? "?"}): ${h.verdict ?? "?"}`;
}

/** The probe as text: each hook the packet entered with what each table did there, its replies, conntrack's view and the outcome. */
export function renderProbe(r: ProbeResult): string {
  const lines = [`probe ${r.probe} from ${r.from}`];
  const original = r.hops.filter((h) => h.direction === "original");
  const replies = r.hops.filter((h) => h.direction === "reply");
  lines.push(...original.map(hopLine));
  if (replies.length > 0) lines.push("reply", ...replies.map(hopLine));
  lines.push(`conntrack: ${r.conntrack ? describeConntrack(r.conntrack) : "no entry on the host"}`);
  if (r.conntrack) lines.push(`nat: ${r.nat}`);
  lines.push(`${r.outcome}: ${r.lastSeen}${r.reply ? ` (reply ${r.reply})` : ""}`);
  if (r.fix) lines.push(`fix: ${r.fix}`);
  if (r.interrupted) lines.push(`interrupted by ${r.interrupted}: the above is what the probe saw until then (its tables are removed)`);
  return `${lines.join("\n")}\n`;
}
