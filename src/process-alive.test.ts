import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { processAlive } from "./process-alive.js";

test("processAlive(): true for a live process, false for a zombie nobody reaps, a gone pid and nonsense", async () => {
  // sh forks `true`, then execs sleep, which never reaps it: `true` stays a zombie while sleep lives
  const parent = spawn("sh", ["-c", "true & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    const zombie = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(processAlive(parent.pid), true, "sleep is alive");
    assert.equal(processAlive(zombie), false, "its unreaped child is a zombie");
    assert.equal(processAlive(process.pid), true);
    for (const bad of [undefined, 0, -1, 1.5, 2 ** 22 + 1]) assert.equal(processAlive(bad), false, String(bad));
  } finally {
    parent.kill("SIGKILL");
  }
});
