import { SET } from "../../firewall/index.js";

/** Members of the forward chain's ifname sets, as the live table holds them. */
export interface ForwardSets {
  readonly bridges: ReadonlySet<string>;
  readonly internal: ReadonlySet<string>;
  readonly isolated: ReadonlySet<string>;
  readonly isolatedPeers: ReadonlySet<string>;
}

/** Which rule of chain forward decides a new connection from one Berth bridge to another, and why. */
export interface ForwardVerdict {
  readonly accepted: boolean;
  /** The rule's comment, as `nft list table inet berth` shows it. */
  readonly rule: string;
  /** The rule's match, in nft's words. */
  readonly match: string;
  /** What about the two networks makes the rule match. */
  readonly because: string;
}

/**
 * The verdict of `table inet berth` chain forward (firewall/render-base.ts,
 * in its order) for a new connection entering from bridge `from` and leaving
 * through bridge `to` (two networks; not a published port: no DNAT). Pure:
 * the caller reads the sets from the live table. `name` gives a bridge's
 * network name for the explanation.
 */
export function forwardVerdict(sets: ForwardSets, from: string, to: string, name: (bridge: string) => string): ForwardVerdict {
  const drop = (rule: string, match: string, because: string): ForwardVerdict => ({ accepted: false, rule, match, because });
  if (sets.internal.has(from))
    return drop("internal networks reach nothing outside their bridge", `iifname @${SET.internal} drop`, `network ${name(from)} is --internal`);
  if (sets.internal.has(to)) return drop("nothing outside reaches an internal network", `oifname @${SET.internal} drop`, `network ${name(to)} is --internal`);
  if (sets.isolated.has(from) && sets.bridges.has(to))
    return drop(
      "isolated network to another network",
      `iifname @${SET.isolated} oifname @${SET.bridges} drop`,
      `network ${name(from)} is isolated from every other network (isolate=true)`,
    );
  if (sets.bridges.has(from) && sets.isolated.has(to))
    return drop(
      "another network to an isolated network",
      `iifname @${SET.bridges} oifname @${SET.isolated} drop`,
      `network ${name(to)} is isolated from every other network (isolate=true)`,
    );
  if (sets.isolatedPeers.has(from) && sets.isolatedPeers.has(to))
    return drop(
      "between networks isolated from each other",
      `iifname @${SET.isolatedPeers} oifname @${SET.isolatedPeers} drop`,
      `networks ${name(from)} and ${name(to)} both have isolate=peers (Podman's isolate=true), which cuts them off from each other`,
    );
  if (sets.bridges.has(from))
    return {
      accepted: true,
      rule: "containers may go out",
      match: `iifname @${SET.bridges} accept`,
      because: `neither ${name(from)} nor ${name(to)} isolates the other`,
    };
  return drop(
    "no unsolicited traffic into container networks",
    `oifname @${SET.bridges} drop`,
    `${from} is not in set ${SET.bridges} (not a Berth network's bridge in the live table)`,
  );
}
