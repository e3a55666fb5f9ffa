import { test } from "node:test";
import assert from "node:assert/strict";
import { renderFindings, summaryLine } from "./report.js";
import type { Finding, Severity } from "./finding.js";

const f = (severity: Severity, code = "X"): Finding => ({ code, severity, summary: "s", evidence: "e", fix: "do it" });

test("summaryLine() counts problems by severity and mentions notes", () => {
  assert.equal(summaryLine([]), "No problems found");
  assert.equal(summaryLine([f("info")]), "No problems found (1 note)");
  assert.equal(summaryLine([f("error"), f("warning")]), "2 problems found (1 error, 1 warning)");
  assert.equal(summaryLine([f("warning"), f("warning"), f("info")]), "2 problems found (2 warnings); 1 note");
});

test("renderFindings() prints one block per finding (severity, code, summary, evidence, fix), then the summary", () => {
  const text = renderFindings([f("error", "IP_FORWARD_OFF")]);
  assert.equal(text, "ERROR IP_FORWARD_OFF: s\n  evidence: e\n  fix:      do it\n\n1 problem found (1 error)\n");
  assert.equal(renderFindings([]), "No problems found\n");
});
