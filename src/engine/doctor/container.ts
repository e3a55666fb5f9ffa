import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { DEFAULT_NETWORK } from "../../model/network.js";
import { socketsIn } from "../../kernel/proc/netns-sockets.js";
import { netnsExists } from "../../kernel/index.js";
import type { Finding } from "./finding.js";
import { listenerFindings } from "./container-listeners.js";
import { containerDnsFindings } from "./container-dns.js";

/** CONTAINER_NOT_RUNNING from the store's status and the runtime's view (the store may say running after a crash). */
async function runningProblem(engine: Engine, c: Container): Promise<Finding | undefined> {
  if (c.status !== "running") {
    const exited = c.status === "exited" ? ` with code ${c.exitCode ?? 0}${c.finished ? ` at ${c.finished}` : ""}` : "";
    return {
      code: "CONTAINER_NOT_RUNNING",
      severity: "error",
      summary: `Container ${c.name} is not running, so none of its networking is live`,
      evidence: `status ${c.status}${exited}`,
      fix: c.status === "exited" ? `see why with \`berth logs ${c.name}\`, then start it again: berth start ${c.name}` : "berth system reconcile",
    };
  }
  if (c.managedBy !== undefined) {
    if (c.netns !== undefined && netnsExists(c.netns)) return undefined;
    return {
      code: "CONTAINER_NOT_RUNNING",
      severity: "error",
      summary: `${c.managedBy} container ${c.name} is recorded as running but its network namespace is gone`,
      evidence: `namespace file ${c.netns ?? "(none)"} is missing`,
      fix: `${c.managedBy === "podman" ? `podman rm -f ${c.name}; ` : ""}berth system reconcile`,
    };
  }
  const st = await engine.runtime.state(c.id);
  if (st.status === "running" || st.status === "created") return undefined;
  return {
    code: "CONTAINER_NOT_RUNNING",
    severity: "error",
    summary: `Container ${c.name} is recorded as running but its process is gone`,
    evidence: `store status running; runtime state ${st.status}`,
    fix: "berth system reconcile",
  };
}

/** DEFAULT_NETWORK_NO_DNS (info): on the default network alone, container names do not resolve. */
function defaultNetworkNote(engine: Engine, c: Container): Finding | undefined {
  const nets = engine.store.attachments.forContainer(c.id).map((a) => engine.store.networks.byId(a.networkId));
  if (nets.length === 0 || !nets.every((n) => n?.name === DEFAULT_NETWORK.name && !n.dnsEnabled)) return undefined;
  return {
    code: "DEFAULT_NETWORK_NO_DNS",
    severity: "info",
    summary: `${c.name} is only on the default network ${DEFAULT_NETWORK.name}, which has no DNS: other containers cannot reach it by name, and it cannot reach them by name`,
    evidence: `attached to network ${DEFAULT_NETWORK.name} (dns_enabled false) only`,
    fix: `use a network of your own: berth network create mynet && berth network connect mynet ${c.name}`,
  };
}

/**
 * The container's own checks: is it running, does something listen on each
 * published port inside its namespace, can names resolve where it is.
 */
export async function checkContainer(engine: Engine, c: Container): Promise<Finding[]> {
  const notRunning = await runningProblem(engine, c);
  if (notRunning) return [notRunning];
  const out: Finding[] = [];
  const ports = engine.store.ports.forContainer(c.id);
  const first = engine.store.attachments.forContainer(c.id)[0];
  if (ports.length > 0 && first) {
    const netns = c.mode === "host" ? undefined : c.netns;
    out.push(...listenerFindings({ container: c.name, containerIp: first.ip ?? first.ip6 ?? "", netns, ports, sockets: socketsIn(netns) }));
  }
  out.push(...containerDnsFindings(engine, c));
  const note = defaultNetworkNote(engine, c);
  if (note) out.push(note);
  return out;
}
