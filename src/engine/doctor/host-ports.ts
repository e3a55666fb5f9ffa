import { hostPort } from "../../model/ip.js";
import type { Engine } from "../context.js";
import type { StoredPort } from "../../store/index.js";
import { hostSocketOn, socketOwner, type HostSocket } from "../../kernel/proc/host-sockets.js";
import type { DoctorScope, Finding } from "./finding.js";

/** HOST_PORT_IN_USE: a published port that a host process has bound as well. */
export function hostPortFinding(container: string, p: StoredPort, s: HostSocket, owner: { pid: number; name: string } | undefined): Finding {
  const who = owner ? `${owner.name} (pid ${owner.pid})` : "an unknown host process";
  return {
    code: "HOST_PORT_IN_USE",
    severity: "warning",
    summary: `Port ${p.hostPort}/${p.proto} published by container ${container} is also bound by host process ${who}: connections from other machines reach the container, local ones to 127.0.0.1 or the host's address may reach ${owner?.name ?? "that process"}`,
    evidence: `${p.proto} ${hostPort(s.address, s.port)} bound by ${who}; published ${hostPort(p.hostIp, p.hostPort)} -> ${container}:${p.containerPort}`,
    fix: owner
      ? `stop ${owner.name} (kill ${owner.pid}) or move it to another port, or publish the container on another host port`
      : `find the owner with \`ss -l${p.proto === "tcp" ? "t" : "u"}pn 'sport = :${p.hostPort}'\`, then stop it or publish the container on another host port`,
  };
}

/** Check 9: every published port of the scope's containers against the host's listening sockets. */
export function checkHostPorts(engine: Engine, scope: DoctorScope): Finding[] {
  const out: Finding[] = [];
  for (const c of scope.containers) {
    for (const p of engine.store.ports.forContainer(c.id)) {
      const s = hostSocketOn(p.proto, p.hostIp, p.hostPort);
      if (s) out.push(hostPortFinding(c.name, p, s, socketOwner(s.inode)));
    }
  }
  return out;
}
