/** A Berth network as stored and shown by `network inspect`. */
export interface Network {
  readonly id: string;
  readonly name: string;
  readonly driver: "bridge";
  /** Bridge interface on the host (berth0, berth1, ...). */
  readonly bridge: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly ipRange: string | undefined;
  readonly internal: boolean;
  readonly dnsEnabled: boolean;
  /** Isolated networks cannot exchange traffic with other Berth networks. */
  readonly isolate: boolean;
  readonly mtu: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly dnsServers: readonly string[];
  readonly created: string;
  /**
   * Set when the network was adopted from another engine's definition
   * (e.g. "podman"): Berth removes it when that engine's last container
   * leaves it. Undefined for networks made by `berth network create`.
   */
  readonly managedBy: string | undefined;
}

/** The built-in default network, made on first use. */
export const DEFAULT_NETWORK = {
  name: "berth",
  bridge: "berth0",
  subnet: "10.88.0.0/16",
} as const;

/** Podman's name for the default network in `--network bridge`. */
export const BRIDGE_MODE = "bridge";
