/**
 * Crash-consistency testing hook: when BERTH_FAULT names this step, the
 * process kills itself there with SIGKILL, exactly as a crash would, so tests
 * can prove the next berth command repairs what was left half-made.
 */
export function faultPoint(step: string): void {
  if (process.env["BERTH_FAULT"] === step) process.kill(process.pid, "SIGKILL");
}
