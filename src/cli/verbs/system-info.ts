import { findContainer, findNetwork, hostInfo, type Engine } from "../../engine/index.js";
import { formatItems } from "../output.js";
import { hostInfoText } from "../host-info-text.js";

/** Print the host view: text, `json`, or a Go template applied to it (as `inspect -f` does). */
export function printHostInfo(engine: Engine, format: string | undefined): void {
  const info = hostInfo(engine);
  if (format === "json") process.stdout.write(`${JSON.stringify(info, null, 4)}\n`);
  else if (format !== undefined) process.stdout.write(formatItems(format, [info]));
  else process.stdout.write(hostInfoText(info));
}

/** `berth inspect host` means the host when no container or network is called "host". */
export function meansHost(engine: Engine, names: readonly string[]): boolean {
  return names.length === 1 && names[0] === "host" && !findContainer(engine, "host") && !findNetwork(engine, "host");
}
