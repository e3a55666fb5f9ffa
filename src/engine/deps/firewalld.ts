import { FirewalldBus, systemBusAddress } from "../../firewall/index.js";

/**
 * firewalld as the engine uses it: whether it runs on the system bus, and
 * the sources of its zones (runtime configuration). `realFirewalld()` asks
 * the bus; `engine/testing/fake-firewalld.ts` keeps zones in memory.
 */
export interface Firewalld {
  /** Whether firewalld runs; false at the cost of one stat when the bus socket is absent. */
  running(): boolean;
  /** The zone `source` (a CIDR) is bound to, "" when none. */
  zoneOfSource(source: string): string;
  /** Bind `source` to `zone` (runtime only). */
  addSource(zone: string, source: string): void;
  /** Unbind `source` from `zone` (runtime only). */
  removeSource(zone: string, source: string): void;
}

/**
 * firewalld on the system bus that DBUS_SYSTEM_BUS_ADDRESS names (default
 * /run/dbus/system_bus_socket), read at each call: the resident service
 * runs each change with its caller's environment, as netavark reads its own.
 */
export function realFirewalld(): Firewalld {
  const bus = (): FirewalldBus => new FirewalldBus(systemBusAddress(process.env));
  return {
    running: () => bus().running(),
    zoneOfSource: (source) => bus().zoneOfSource(source),
    addSource: (zone, source) => bus().addSource(zone, source),
    removeSource: (zone, source) => bus().removeSource(zone, source),
  };
}
