#!/usr/bin/env node
// `npm run test:stress`: the full-size reliability tests, not part of CI:
// 1,000 containers on one network and 100 networks, a 10-minute soak, and a
// long model-based run (docs/reliability.md). The same test files run in
// `npm test` at a size of seconds; BERTH_STRESS=1 makes them full size.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const top = join(fileURLToPath(import.meta.url), "..", "..");
const files = ["model-based", "scale", "soak"].map((f) => `dist/test/integration/${f}.test.js`);
const r = spawnSync(process.execPath, [join(top, "scripts", "test.mjs"), ...files], {
  cwd: top,
  stdio: "inherit",
  env: { ...process.env, BERTH_STRESS: "1" },
});
process.exit(r.status ?? 1);
