import { hostPort } from "../../model/ip.js";
import type { HostSocket } from "../../kernel/proc/host-sockets.js";
import type { StoredPort } from "../../store/index.js";
import type { Finding } from "./finding.js";
import { socketReaches } from "../../kernel/proc/netns-sockets.js";

/**
 * PORT_NOT_LISTENING when nothing in the container's namespace is bound to
 * a published container port; PORT_NOT_REACHABLE when something is, but
 * only on addresses DNAT does not deliver to (127.0.0.1, another address).
 */
export function listenerFindings(input: {
  readonly container: string;
  readonly containerIp: string;
  /** `nsenter --net=PATH` target for the suggested command. */
  readonly netns: string | undefined;
  readonly ports: readonly StoredPort[];
  /** Listening tcp / bound udp sockets inside the container's namespace. */
  readonly sockets: readonly HostSocket[];
}): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const p of input.ports) {
    const key = `${p.containerPort}/${p.proto}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const on = input.sockets.filter((s) => s.proto === p.proto && s.port === p.containerPort);
    const ss = `${input.netns ? `nsenter --net=${input.netns} ` : ""}ss -${p.proto === "tcp" ? "lt" : "lu"}np`;
    if (on.length === 0) {
      out.push({
        code: "PORT_NOT_LISTENING",
        severity: "error",
        summary: `nothing listens on ${key} inside ${input.container}: connections to host port ${p.hostPort} are refused`,
        evidence: `no ${p.proto === "tcp" ? "listening tcp" : "bound udp"} socket on port ${p.containerPort} in the container's network namespace (published ${hostPort(p.hostIp, p.hostPort)} -> ${hostPort(input.containerIp, p.containerPort)})`,
        fix: `start the service on 0.0.0.0:${p.containerPort} inside ${input.container} (or publish the port it really uses); see what listens with \`${ss}\``,
      });
    } else if (!on.some((s) => socketReaches(s.address, input.containerIp))) {
      out.push({
        code: "PORT_NOT_REACHABLE",
        severity: "error",
        summary: `${key} inside ${input.container} listens only on ${on.map((s) => s.address).join(", ")}, which forwarded traffic to ${input.containerIp} does not reach`,
        evidence: `sockets on port ${p.containerPort}: ${on.map((s) => `${hostPort(s.address, s.port)}`).join(", ")}; DNAT target ${hostPort(input.containerIp, p.containerPort)}`,
        fix: `make the service listen on 0.0.0.0:${p.containerPort} (or ${input.containerIp}) instead; check with \`${ss}\``,
      });
    }
  }
  return out;
}
