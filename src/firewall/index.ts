export { Firewall, type FirewallOptions } from "./firewall.js";
export { NftApplier, type NftApplierOptions } from "./nft-applier.js";
export type { NftJson, NftObject } from "./nft-json.js";
export { renderBaseTable } from "./render-base.js";
export { renderNetworks, requiredSysctls, type FirewallNetwork, type Sysctl } from "./render-networks.js";
export {
  ANY_HOST_IP,
  ANY_HOST_IP6,
  checkPortMapping,
  describeMapping,
  mapElementOf,
  renderAddPortMappings,
  renderDeletePortMappings,
  samePortMapping,
  type DnatMapping,
  type PortMapping,
} from "./render-ports.js";
export { parsePortMappings } from "./parse-ports.js";
export { foreignBaseChains, type ForeignBaseChain } from "./foreign-chains.js";
export { describeForeignDropPolicy, foreignForwardDropChains, iptablesForwardDrop, type ForeignDropPolicy } from "./foreign-policies.js";
export { CHAIN, MAP, SET, TABLE } from "./table.js";
export { summarizeTable, type TableSummary } from "./table-summary.js";
export { SPOOF_CHAIN, SPOOF_RULES, SPOOF_SET, SPOOF_TABLE, linkLocalOf, type GuardedPort } from "./render-spoof.js";
export {
  PROBE_FAMILIES,
  PROBE_HOOKS,
  PROBE_TABLE_PREFIX,
  ProbeTables,
  probeMatchText,
  probeTableName,
  renderDeleteProbeTables,
  renderProbeTables,
  replyMatchText,
  type ProbeMatch,
} from "./probe-tables.js";
export { parseRulesetText, readRulesetText, type ChainInfo, type RulesetText } from "./ruleset-text.js";
export { DEFAULT_SYSTEM_BUS, FIREWALLD_BUS_NAME, FirewalldBus, busSocketPath, systemBusAddress, type DbusRunner } from "./firewalld.js";
