import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { addDefaultRoute } from "./attach.js";

/** After a disconnect, route through the first remaining non-internal network if no default route is left. */
export function restoreDefaultRoute(engine: Engine, c: Container): void {
  if (!c.netns) return;
  const h = engine.kernel.open(c.netns);
  try {
    const need4 = !h.routeList().some((r) => r.dst === undefined);
    const need6 = !h.routeList6().some((r) => r.dst === undefined);
    const pick = (gw: (n: Network) => string | undefined) => {
      for (const a of engine.store.attachments.forContainer(c.id)) {
        const n = engine.store.networks.byId(a.networkId);
        const link = h.linkByName(a.ifname);
        const gateway = n && !n.internal ? gw(n) : undefined;
        if (n && gateway !== undefined && link) {
          addDefaultRoute(h, n, gateway, link.index);
          return;
        }
      }
    };
    if (need4) pick((n) => n.gateway);
    if (need6) pick((n) => n.gateway6);
  } finally {
    h.close();
  }
}
