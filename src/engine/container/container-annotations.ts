import type { PortRequest } from "../../model/port-spec.js";
import type { OciConfig } from "../../runtime/index.js";
import { parseRestart, restartText, type RestartPolicy } from "./run-process-options.js";

/**
 * What a stopped container needs to start again, kept as annotations in its
 * bundle's config.json (which outlives each run: the bundle goes only with
 * `rm`): its published ports as they were reserved (so a random host port
 * stays the same), its labels and its restart policy.
 */
const KEYS = { ports: "io.berth.ports", labels: "io.berth.labels", restart: "io.berth.restart" } as const;

export interface ContainerAnnotations {
  readonly ports: readonly PortRequest[];
  readonly labels: Readonly<Record<string, string>>;
  readonly restart: RestartPolicy;
}

export function toAnnotations(a: ContainerAnnotations): Record<string, string> {
  return {
    [KEYS.ports]: JSON.stringify(a.ports.map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort }))),
    [KEYS.labels]: JSON.stringify(a.labels),
    [KEYS.restart]: restartText(a.restart),
  };
}

/** Read them back; a bundle written before Berth kept them has none. */
export function fromConfig(cfg: OciConfig | undefined): ContainerAnnotations {
  const ann = cfg?.annotations ?? {};
  const json = <T>(key: string, fallback: T): T => {
    try {
      return ann[key] === undefined ? fallback : (JSON.parse(ann[key]) as T);
    } catch {
      return fallback;
    }
  };
  let restart: RestartPolicy = { kind: "no" };
  try {
    restart = parseRestart(ann[KEYS.restart] ?? "no");
  } catch {
    // an unreadable policy restarts nothing
  }
  return { ports: json<PortRequest[]>(KEYS.ports, []), labels: json<Record<string, string>>(KEYS.labels, {}), restart };
}
