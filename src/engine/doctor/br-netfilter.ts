import type { Finding } from "./finding.js";
import { readProcValue } from "../../kernel/proc/read-proc.js";

export const BRIDGE_NF_CALL_IPTABLES = "/proc/sys/net/bridge/bridge-nf-call-iptables";

/** BR_NETFILTER_ON (info) when bridged frames go through the ip/inet forward hooks. */
export function brNetfilterFindings(value: string | undefined): Finding[] {
  if (value !== "1") return [];
  return [
    {
      code: "BR_NETFILTER_ON",
      severity: "info",
      summary:
        "br_netfilter is loaded: traffic between containers on one bridge also passes the iptables/nftables forward chains; Berth's own table accepts it, but a forward chain with policy drop in another firewall would cut container-to-container traffic",
      evidence: "net.bridge.bridge-nf-call-iptables = 1",
      fix: "nothing to do unless containers on one network cannot reach each other; then accept Berth's bridges in that firewall's forward chain, or `sysctl -w net.bridge.bridge-nf-call-iptables=0` if nothing else needs it",
    },
  ];
}

/** Check 5: read the sysctl (absent when the br_netfilter module is not loaded). */
export function checkBrNetfilter(): Finding[] {
  return brNetfilterFindings(readProcValue(BRIDGE_NF_CALL_IPTABLES));
}
