import type { Command } from "commander";
import { collect } from "../collect.js";
import { installCni } from "../../interop/cni/install.js";
import { DEFAULT_NODE_CNI_VERSION, DEFAULT_NODE_NETWORK } from "../../interop/cni/node-conflist.js";

interface InstallFlags {
  podCidr: string[];
  clusterCidr?: string[];
  nodeCidr?: string[];
  confDir: string;
  binDir: string;
  cniVersion: string;
  name: string;
  force?: boolean;
}

/** `berth cni install`: a Kubernetes node's CNI files (docs/kubernetes.md). */
export function registerCni(program: Command): void {
  const cni = program.command("cni").description("Berth as a CNI plugin (containerd, CRI-O, Kubernetes)");
  cni
    .command("install")
    .description("Link Berth's CNI plugin into the bin dir and write the node's network configuration list")
    .requiredOption(
      "--pod-cidr <cidr>",
      "this node's pod CIDR (the Node's spec.podCIDRs), e.g. 10.244.1.0/24; again with the IPv6 one on a dual-stack node",
      collect,
    )
    .option("--cluster-cidr <cidr>", "the cluster's pod CIDR, routed to and from this node's pods without NAT (repeatable)", collect)
    .option("--node-cidr <cidr>", "the nodes' own addresses, let in to the pods (kubelet probes, NodePorts forwarded by other nodes; repeatable)", collect)
    .option("--conf-dir <dir>", "the runtime's CNI configuration directory", "/etc/cni/net.d")
    .option("--bin-dir <dir>", "the runtime's CNI plugin directory", "/opt/cni/bin")
    .option("--cni-version <version>", "cniVersion of the configuration (1.0.0 for containerd 1.6/1.7)", DEFAULT_NODE_CNI_VERSION)
    .option("--name <name>", "the CNI network's name (and Berth network's; its bridge is cni-NAME)", DEFAULT_NODE_NETWORK)
    .option("-f, --force", "replace a configuration or plugin file that Berth did not write")
    .action((f: InstallFlags) => {
      const r = installCni({
        podCidrs: f.podCidr,
        clusterCidrs: f.clusterCidr ?? [],
        nodeCidrs: f.nodeCidr ?? [],
        confDir: f.confDir,
        binDir: f.binDir,
        cniVersion: f.cniVersion,
        name: f.name,
        force: f.force ?? false,
      });
      process.stdout.write(`${r.conflist.action} ${r.conflist.path}\n`);
      process.stdout.write(`${r.plugin.action} ${r.plugin.path} -> ${r.plugin.target}\n`);
      for (const w of r.warnings) process.stderr.write(`Warning: ${w}\n`);
    });
}
