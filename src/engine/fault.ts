import { existsSync, writeFileSync } from "node:fs";

/**
 * Crash-consistency testing hook: when BERTH_FAULT names this step, the
 * process kills itself there with SIGKILL, exactly as a crash would, so tests
 * can prove the next berth command repairs what was left half-made.
 *
 * Race-testing hook: when BERTH_PAUSE names this step, the process writes
 * the file BERTH_PAUSE_FILE there and waits until the test removes it, so
 * a test can run another call against the half-made state.
 */
export function faultPoint(step: string): void {
  if (process.env["BERTH_FAULT"] === step) process.kill(process.pid, "SIGKILL");
  const file = process.env["BERTH_PAUSE_FILE"];
  if (process.env["BERTH_PAUSE"] === step && file !== undefined) {
    writeFileSync(file, `${process.pid}\n`);
    const tick = new Int32Array(new SharedArrayBuffer(4));
    while (existsSync(file)) Atomics.wait(tick, 0, 0, 10);
  }
  crashHook?.(step);
}

let crashHook: ((step: string) => void) | undefined;

/**
 * For the engine's unit tests (engine/testing/crash.ts): called at every
 * fault point, to simulate the crash inside the test's process.
 */
export function onFaultPoint(hook: ((step: string) => void) | undefined): void {
  crashHook = hook;
}
