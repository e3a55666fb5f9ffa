// The CNI plugin executable's entry (bin/cni/berth): a runtime runs it with
// CNI_* in the environment and the network configuration on stdin.
import { runCniPlugin, type CniBackend } from "./plugin.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const loadBackend = async (): Promise<CniBackend> => (await import("./engine-backend.js")).engineBackend();

/** One plugin call: the result or error JSON on stdout; returns the exit code. */
export async function cniMain(): Promise<number> {
  const outcome = await runCniPlugin(process.env, await readStdin(), loadBackend);
  process.stdout.write(outcome.stdout);
  return outcome.exitCode;
}
