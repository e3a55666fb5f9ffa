// Sizes for the reliability tests: the normal suite (`npm test`) runs short
// versions; `npm run test:stress` sets BERTH_STRESS=1 for the full ones
// (docs/reliability.md). A BERTH_* variable named by the caller overrides both.

/** True under `npm run test:stress`. */
export const STRESS = process.env["BERTH_STRESS"] === "1";

/** The size to use: `override` from the environment if set, else the stress or the CI size. */
export function sized(override: string, ci: number, stress: number): number {
  const v = process.env[override];
  if (v !== undefined && v !== "") {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${override}=${v} is not a non-negative integer`);
    return n;
  }
  return STRESS ? stress : ci;
}

/**
 * A property test's seed: `override` from the environment if set; under `npm run test:stress` a new one each run
 * (exploration); otherwise the fixed `ci` seed, so that the normal suite tests the same cases on every run and a
 * red run means the change, not the dice.
 */
export function seeded(override: string, ci: number): number {
  const v = process.env[override];
  if (v !== undefined && v !== "") return sized(override, ci, ci);
  return STRESS ? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0 : ci;
}
