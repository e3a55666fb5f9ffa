import type { Engine } from "../context.js";
import { attachSandbox } from "../sandbox/index.js";
import { dryRun } from "./preview.js";
import type { PlannedChange } from "./planned-change.js";

/**
 * A sandbox attach rehearsed as a dry run (nothing changes: the store's
 * transaction is rolled back, kernel, firewall and runtime only record), so
 * that the first real one after the service starts does not pay for code
 * run the first time: measured on a Kubernetes node's first pod, the first
 * CNI ADD after a fresh service took 150-290 ms against 45 ms for the next,
 * though both made the network (bench/README.md, cri.ts). The sandbox is the
 * service's own network namespace, under a network name, bridge, subnet and
 * port no one uses; where the rehearsal is refused (say the subnet is in
 * use), it has still warmed what ran before, and the refusal is ignored
 * (no steps). Returns the steps it would have taken.
 */
export async function rehearseAttach(engine: Engine, netns = `/proc/${process.pid}/ns/net`): Promise<readonly PlannedChange[]> {
  try {
    return await dryRun(engine, (dry) =>
      attachSandbox(dry, {
        managedBy: "berth-warm-up",
        id: "berth-warm-up",
        name: "berth-warm-up",
        netns,
        networks: [
          {
            network: {
              name: "berth-warm-up",
              bridge: "berthwarmup0",
              // RFC 2544's benchmarking range: on no real network
              subnet: "198.18.255.0/24",
              gateway: "198.18.255.1",
              internal: false,
              dnsEnabled: false,
              isolate: false,
            },
            ifname: "berthwarmup1",
          },
        ],
        ports: [{ proto: "tcp", hostIp: "", hostPort: 65431, containerPort: 80 }],
      }),
    );
  } catch {
    // a rehearsal: what it refused is not anyone's problem
    return [];
  }
}
