import { Runtime } from "../../runtime/index.js";
import type { BerthPaths } from "../../paths.js";

/** The OCI runtime as the engine uses it: runc for bundles and state, conmon for detached containers. */
export type ContainerRuntime = Pick<Runtime, keyof Runtime>;

export function realRuntime(paths: BerthPaths): ContainerRuntime {
  return new Runtime(paths);
}
