export { Engine } from "./context.js";
export { BERTH_CLI, BERTH_CNI_PLUGIN } from "./self-command.js";
export { withEngine } from "./with-engine.js";
export { setResidentEngineFinder, type ResidentCall } from "./resident.js";
export { createNetwork, ensureDefaultNetwork, type NetworkCreateOptions } from "./commands/network-create.js";
export { removeNetwork, pruneNetworks } from "./commands/network-remove.js";
export { connectNetwork, disconnectNetwork, type ConnectOptions } from "./commands/network-connect.js";
export { requireContainer, requireNetwork, findContainer, findNetwork, listNetworks, hasContainerId } from "./network/network-lookup.js";
export { ensureFirewallReady } from "./commands/firewall-ready.js";
export { runContainer, type RunResult } from "./commands/container-run.js";
export type { RunOptions } from "./container/run-options.js";
export { stopContainer, removeContainer } from "./commands/container-remove.js";
export { finishContainer } from "./commands/container-cleanup.js";
export { startContainer, markStoppedByUser } from "./commands/container-start.js";
export { cleanupContainer, restartCount } from "./commands/container-restart.js";
export { killContainer, waitContainer } from "./commands/container-signal.js";
export { execContainer, type ContainerExecOptions } from "./commands/container-exec.js";
export { containerLogs, containerLogOffset, followLogs, tailLines, type ContainerLogsOptions } from "./commands/container-logs.js";
export { listContainers, ownContainerIds, type ContainerListEntry } from "./commands/container-list.js";
export { containerPorts, runningContainerPorts, type ContainerPorts } from "./commands/container-port.js";
export { auditPorts, renderPortAudit, type PortAudit } from "./ports/port-audit.js";
export { runWarnings } from "./ports/publish-warnings.js";
export { fromConfig as containerAnnotations } from "./container/container-annotations.js";
export { parseEnvFile } from "./container/run-process-options.js";
export { repairInterrupted } from "./commands/repair.js";
export { reconcile, type ReconcileReport } from "./commands/reconcile.js";
export { resetSystem } from "./commands/reset.js";
export { containerView, networkModeText, portsText, portsView } from "./views/container-view.js";
export { networkView } from "./views/network-view.js";
export { listNamespaces, type NamespaceView } from "./views/namespaces.js";
export { hostInfo, type HostInfo } from "./views/host-info.js";
export { runDoctor, renderFindings } from "./doctor/index.js";
export { PROBE_TIMEOUT_MS, probeTarget, probeTrace, renderProbe, renderTrace, trace } from "./trace/index.js";
export {
  collectTopology,
  nodeId,
  renderDot,
  renderJson,
  picturePage,
  renderHtmlPicture,
  renderSvgPicture,
  renderText,
  restrictToBridge,
  restrictToContainer,
  TEXT_WIDTH,
  TopologyFeed,
  type TopologyGraph,
} from "./topology/index.js";
export { describeForeignDropPolicy, type ForeignDropPolicy } from "../firewall/index.js";
export {
  attachSandbox,
  detachSandbox,
  setNetworkDnsServers,
  refuseForeign,
  networkOwner,
  DOCKER_NETWORK_LABEL,
  listSandboxes,
  settleHandedOver,
  unpublishSandboxPorts,
  leasedInSubnet,
  type SandboxMembership,
  type SandboxAttachSpec,
  type SandboxDetachSpec,
  type SandboxEndpoint,
  type SandboxNetworkDefinition,
  type SandboxNetworkRequest,
} from "./sandbox/index.js";
export { freeSubnet4 } from "./network/network-subnets.js";
export { readNetnsState, type NetnsState, type NetnsInterfaceState, type NetnsRouteState } from "./sandbox/netns-state.js";
export {
  dryRunConnect,
  dryRunContainer,
  dryRunDisconnect,
  dryRunNetworkCreate,
  dryRunRemove,
  rehearseAttach,
  renderPlan,
  type PlannedChange,
} from "./dry-run/index.js";
