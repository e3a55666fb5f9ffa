export { Firewall } from "./firewall.js";
export { NftApplier } from "./nft-applier.js";
export { renderBaseTable, renderNetworks, requiredSysctls, TABLE, type FirewallNetwork } from "./ruleset.js";
