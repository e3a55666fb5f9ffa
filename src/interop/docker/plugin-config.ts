import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BerthError, messageOf } from "../../errors.js";
import type { BerthPaths } from "../../paths.js";
import { replaceFile } from "../../private-paths.js";
import { parsePluginSocket } from "./plugin-socket.js";

/**
 * `berth docker-plugin enable`: the Berth service serves Docker's plugin
 * socket whenever it runs. Kept in the state dir (it outlives a reboot's
 * /run), read by the service when it starts.
 */
export interface DockerPluginConfig {
  /** The socket dockerd finds (default /run/docker/plugins/berth.sock). */
  readonly socket: string;
  /** Write each request dockerd sends, its body and how long it took, to the service's log. */
  readonly logRequests: boolean;
}

export function dockerPluginConfigFile(paths: BerthPaths): string {
  return join(paths.stateDir, "docker-plugin.json");
}

/** The config, or undefined when the plugin is not enabled. A file Berth cannot read is an error naming it. */
export function readDockerPluginConfig(paths: BerthPaths): DockerPluginConfig | undefined {
  const file = dockerPluginConfigFile(paths);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null) throw new Error("not an object");
    const o = v as Record<string, unknown>;
    if (typeof o["socket"] !== "string") throw new Error('"socket" is not a string');
    return { socket: parsePluginSocket(o["socket"]), logRequests: o["logRequests"] === true };
  } catch (e) {
    throw new BerthError("STATE", `Cannot read ${file}: ${messageOf(e)}`, {
      hint: "Run `berth docker-plugin enable` again (it rewrites the file), or `berth docker-plugin disable`",
    });
  }
}

export function writeDockerPluginConfig(paths: BerthPaths, config: DockerPluginConfig): void {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  replaceFile(dockerPluginConfigFile(paths), `${JSON.stringify(config, null, 2)}\n`, ".tmp", 0o644);
}

export function removeDockerPluginConfig(paths: BerthPaths): void {
  rmSync(dockerPluginConfigFile(paths), { force: true });
}
