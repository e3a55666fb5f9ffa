// Stateful property-based test (fast-check model-based testing): random
// sequences (BERTH_MODEL_COMMANDS/2 to BERTH_MODEL_COMMANDS long) of network create/rm, run/rm and connect/disconnect (names,
// static addresses, aliases, published ports), some killed at a random
// BERTH_FAULT step and repaired, each checked against a model and against
// the live kernel, nft table and resolver (test/model-based/check.ts).
//
// Seeded and reproducible: a fixed seed in the normal suite, a new one under
// `npm run test:stress`; the seed is printed; rerun a failure with
// BERTH_MODEL_SEED=<seed> (and BERTH_MODEL_PATH=<path> from the report to
// replay exactly the failing sequence). Sizes: BERTH_MODEL_RUNS and
// BERTH_MODEL_COMMANDS (CI: 2 x 25; `npm run test:stress`: 25 x 60).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { seeded, sized } from "../stress-size.js";
import { BerthModel } from "../model-based/model.js";
import { commandArbitraries, type RealBerth } from "../model-based/commands.js";
import { checkSystem } from "../model-based/check.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

const RUNS = sized("BERTH_MODEL_RUNS", 2, 25);
const COMMANDS = sized("BERTH_MODEL_COMMANDS", 25, 60);
const SEED = seeded("BERTH_MODEL_SEED", 20261206);
const PATH = process.env["BERTH_MODEL_PATH"];

test(`random command sequences with crashes match the model and the kernel (${RUNS} runs of up to ${COMMANDS} commands, seed ${SEED})`, (t) => {
  if (!requireSandbox(t)) return;
  t.diagnostic(`seed ${SEED}: rerun with BERTH_MODEL_SEED=${SEED}`);
  let commandsRun = 0;
  let crashes = 0;
  try {
    fc.assert(
      // at least half the maximum: a short random sequence proves little
      fc.property(
        fc.commands(commandArbitraries, { maxCommands: COMMANDS, size: "max" }).filter((cmds) => [...cmds].length >= Math.ceil(COMMANDS / 2)),
        (cmds) => {
          const reset = b.run("system", "reset", "-f");
          assert.equal(reset.code, 0, `reset before the sequence: ${reset.stderr}`);
          assert.deepEqual(
            b.leftovers().filter((l) => !l.startsWith("nft")),
            [],
            "a clean host before the sequence",
          );
          const real: RealBerth = { b, root: b.root, transcript: [] };
          b.ok("network", "ls");
          fc.modelRun(() => {
            const model = new BerthModel();
            checkSystem(b.root, model);
            return { model, real };
          }, cmds);
          commandsRun += real.transcript.filter((l) => !l.startsWith(" ")).length;
          crashes += real.transcript.filter((l) => l.includes("-> exit 137")).length;
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, ...(PATH ? { path: PATH } : {}) },
    );
  } finally {
    t.diagnostic(`${commandsRun} commands, ${crashes} of them killed at a fault step and repaired`);
  }
});
