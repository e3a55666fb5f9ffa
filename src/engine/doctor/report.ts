import { isProblem, type Finding } from "./finding.js";

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "2 problems found (1 error, 1 warning)", or "No problems found", plus notes. */
export function summaryLine(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  const notes = findings.length - errors - warnings;
  const noteText = notes > 0 ? ` (${count(notes, "note")})` : "";
  const problems = findings.filter(isProblem).length;
  if (problems === 0) return `No problems found${noteText}`;
  const parts = [errors > 0 ? count(errors, "error") : "", warnings > 0 ? count(warnings, "warning") : ""].filter(Boolean).join(", ");
  return `${count(problems, "problem")} found (${parts})${notes > 0 ? `; ${count(notes, "note")}` : ""}`;
}

/** One block per finding, a blank line between blocks, then the summary line. */
export function renderFindings(findings: readonly Finding[]): string {
  const blocks = findings.map((f) => [`${f.severity.toUpperCase()} ${f.code}: ${f.summary}`, `  evidence: ${f.evidence}`, `  fix:      ${f.fix}`].join("\n"));
  return [...blocks, summaryLine(findings)].join("\n\n") + "\n";
}
