import type { Engine } from "../context.js";
import { spoofFilterOf, type Network } from "../../model/network.js";
import type { Attachment } from "../../model/container.js";
import type { GuardedPort } from "../../firewall/index.js";

/**
 * The anti-spoofing filter of an attachment's bridge port: its host veth
 * may send only from the attachment's MAC and addresses. Undefined when the
 * network is not filtered (macvlan, or `spoof_filter=false`).
 */
export function guardedPortOf(net: Pick<Network, "driver" | "driverOptions">, a: Attachment): GuardedPort | undefined {
  if (!spoofFilterOf(net)) return undefined;
  return { port: a.hostVeth, mac: a.mac, ips: a.ip === undefined ? [] : [a.ip], ips6: a.ip6 === undefined ? [] : [a.ip6] };
}

/** Every filtered port the store knows of (reconcile makes the kernel's sets match). */
export function allGuardedPorts(engine: Engine): GuardedPort[] {
  const nets = new Map(engine.store.networks.list().map((n) => [n.id, n]));
  return engine.store.containers.list().flatMap((c) =>
    engine.store.attachments.forContainer(c.id).flatMap((a) => {
      const n = nets.get(a.networkId);
      const g = n === undefined ? undefined : guardedPortOf(n, a);
      return g === undefined ? [] : [g];
    }),
  );
}

/** Make the kernel's filtered ports exactly the store's (one transaction). */
export function syncGuardedPorts(engine: Engine): void {
  engine.firewall.syncGuardedPorts(allGuardedPorts(engine));
}
