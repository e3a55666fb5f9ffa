export { Engine } from "./context.js";
export { createNetwork, ensureDefaultNetwork, type NetworkCreateOptions } from "./network-create.js";
export { removeNetwork, pruneNetworks } from "./network-remove.js";
export { connectNetwork, disconnectNetwork, type ConnectOptions } from "./network-connect.js";
export { requireContainer, requireNetwork } from "./network-lookup.js";
export { runContainer, type RunResult } from "./container-run.js";
export type { RunOptions } from "./run-options.js";
export { stopContainer, removeContainer } from "./container-remove.js";
export { finishContainer } from "./container-cleanup.js";
export { startContainer, markStoppedByUser } from "./container-start.js";
export { cleanupContainer, restartCount } from "./container-restart.js";
export { killContainer, waitContainer } from "./container-signal.js";
export { fromConfig as containerAnnotations } from "./container-annotations.js";
export { parseEnvFile } from "./run-process-options.js";
export { repairInterrupted } from "./repair.js";
export { reconcile, type ReconcileReport } from "./reconcile.js";
export { resetSystem } from "./reset.js";
export { containerView, networkModeText, portsText, portsView } from "./container-view.js";
export { networkView } from "./network-view.js";
export { listNamespaces, type NamespaceView } from "./namespaces.js";
export { describeForeignDropPolicy, type ForeignDropPolicy } from "../firewall/index.js";
export {
  attachSandbox,
  detachSandbox,
  setNetworkDnsServers,
  refuseForeign,
  type SandboxAttachSpec,
  type SandboxDetachSpec,
  type SandboxEndpoint,
  type SandboxNetworkDefinition,
  type SandboxNetworkRequest,
} from "./sandbox/index.js";
