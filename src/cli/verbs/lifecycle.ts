import type { Command } from "commander";
import {
  containerLogOffset,
  followLogs,
  killContainer,
  refuseForeign,
  requireContainer,
  startContainer,
  stopContainer,
  waitContainer,
  type Engine,
} from "../../engine/index.js";
import type { Container } from "../../model/container.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { setExitCode } from "../exit-status.js";

/** Podman's message when the stop timeout runs out. */
function killWarning(t: number): (c: Container) => void {
  return (c) => process.stderr.write(`Warning: StopSignal SIGTERM failed to stop container ${c.name} in ${t} seconds, resorting to SIGKILL\n`);
}

export function parseTimeout(text: string): number {
  const t = Number(text);
  if (!Number.isInteger(t) || t < 0) throw new BerthError("INVALID_ARGUMENT", `Invalid --time "${text}"`, { hint: "Give a whole number of seconds" });
  return t;
}

/**
 * `start -a`: start the container, print what it writes from then on (its
 * log, as `logs -f`), and return its exit code, as Podman's `start -a`.
 */
async function startAttached(e: Engine, name: string): Promise<number> {
  const before = requireContainer(e, name);
  refuseForeign(before, "start --attach");
  const from = containerLogOffset(e, before);
  const c = await startContainer(e, name);
  await followLogs(e, c, -1, (text) => process.stdout.write(text), 100, from);
  return waitContainer(e, c.id);
}

/** start, restart, kill, wait: the container life cycle beyond run/stop/rm. */
export function registerLifecycle(program: Command): void {
  program
    .command("start")
    .description("Start created or stopped containers again (detached), with their networks, ports and names")
    .argument("<container...>")
    .option("-a, --attach", "print the container's output until it exits, then exit with its exit code (one container)")
    .action(async (names: string[], f: { attach?: boolean }) => {
      if (f.attach === true) {
        const [name] = names;
        if (name === undefined || names.length > 1) {
          throw new BerthError("INVALID_ARGUMENT", "start --attach takes one container", { hint: "Start the others without -a, or one at a time" });
        }
        setExitCode(await withEngine((e) => startAttached(e, name)));
        return;
      }
      await withEngine(async (e) => {
        for (const n of names) process.stdout.write(`${(await startContainer(e, n)).name}\n`);
      });
    });

  program
    .command("restart")
    .description("Stop (if running) and start containers again")
    .argument("<container...>")
    .option("-t, --time <seconds>", "seconds to wait before killing", "10")
    .action(async (names: string[], f: { time: string }) => {
      const t = parseTimeout(f.time);
      await withEngine(async (e) => {
        for (const n of names) {
          await stopContainer(e, n, t, { onKill: killWarning(t) });
          process.stdout.write(`${(await startContainer(e, n)).id}\n`);
        }
      });
    });

  program
    .command("kill")
    .description("Send a signal (default SIGKILL) to running containers")
    .argument("<container...>")
    .option("-s, --signal <signal>", "signal name or number", "KILL")
    .action(async (names: string[], f: { signal: string }) => {
      await withEngine(async (e) => {
        for (const n of names) process.stdout.write(`${(await killContainer(e, n, f.signal)).name}\n`);
      });
    });

  program
    .command("wait")
    .description("Wait for containers to exit and print their exit codes")
    .argument("<container...>")
    .action(async (names: string[]) => {
      await withEngine(
        async (e) => {
          for (const n of names) process.stdout.write(`${await waitContainer(e, n)}\n`);
        },
        { repair: false },
      );
    });
}

export { killWarning };
