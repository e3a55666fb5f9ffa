import type { Network } from "../../../model/network.js";
import { bridgeDriver } from "./bridge-driver.js";
import { macvlanDriver } from "./macvlan-driver.js";
import type { NetworkDriver } from "./driver.js";

export type { HostDrift, NamespaceFate, NetworkDriver } from "./driver.js";

const DRIVERS: Readonly<Record<Network["driver"], NetworkDriver>> = { bridge: bridgeDriver, macvlan: macvlanDriver };

/** The driver of a network: the one place that looks at `net.driver`. */
export function driverOf(net: Pick<Network, "driver">): NetworkDriver {
  return DRIVERS[net.driver];
}
