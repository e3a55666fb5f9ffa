import { FirewalldBus, systemBusAddress } from "../../firewall/index.js";

/**
 * firewalld as the engine uses it: whether it runs on the system bus, and
 * the sources of its zones (runtime configuration). `realFirewalld()` asks
 * the bus; `engine/testing/fake-firewalld.ts` keeps zones in memory.
 */
export interface Firewalld {
  /** Whether firewalld runs; false at the cost of one stat when the bus socket is absent. */
  running(): boolean;
  /**
   * The same for a container's setup, which only re-binds what firewalld
   * lost: a "no" from the bus is remembered for a while (NOT_RUNNING_FOR_MS)
   * instead of asked again on each setup (a `dbus-send` process, ~9 ms).
   * A "yes" is never remembered, and any running() call updates what is.
   */
  runningForSetup(): boolean;
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
/** How long a container setup trusts the bus's last "firewalld does not run". */
export const NOT_RUNNING_FOR_MS = 10_000;

export function realFirewalld(now: () => number = Date.now, busAt: (address: string) => FirewalldBus = (a) => new FirewalldBus(a)): Firewalld {
  const bus = (): FirewalldBus => busAt(systemBusAddress(process.env));
  // the bus address whose "no" is remembered, and until when
  let absent: { address: string; until: number } | undefined;
  const running = (): boolean => {
    const b = bus();
    const yes = b.running();
    absent = yes ? undefined : { address: b.address, until: now() + NOT_RUNNING_FOR_MS };
    return yes;
  };
  return {
    running,
    runningForSetup: () => {
      const remembered = absent;
      if (remembered !== undefined && remembered.address === systemBusAddress(process.env) && now() < remembered.until) return false;
      return running();
    },
    zoneOfSource: (source) => bus().zoneOfSource(source),
    addSource: (zone, source) => bus().addSource(zone, source),
    removeSource: (zone, source) => bus().removeSource(zone, source),
  };
}
