import type { Zone } from "./zone.js";

/**
 * What the responder reads at the start of each query. The daemon replaces
 * the fields wholesale (never mutates a zone), so a query in flight keeps
 * the zone and upstreams it started with.
 */
export interface ResolverState {
  zone: Zone;
  /** Host resolv.conf nameservers, minus the resolver's own addresses. */
  hostUpstreams: readonly string[];
  /** Addresses the resolver listens on: never forward to these (it would loop). */
  ownAddresses: ReadonlySet<string>;
}
