export { Firewall } from "./firewall.js";
export { NftApplier } from "./nft-applier.js";
export { renderAddPortMappings, renderBaseTable, renderDeletePortMappings, renderNetworks, requiredSysctls, TABLE, type DnatMapping, type FirewallNetwork } from "./ruleset.js";
