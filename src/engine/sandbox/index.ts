export { attachSandbox } from "./sandbox-attach.js";
export { detachSandbox } from "./sandbox-detach.js";
export { listSandboxes, type SandboxMembership, type SandboxSummary } from "./list-sandboxes.js";
export { setNetworkDnsServers } from "./network-dns.js";
export { isForeign, refuseForeign, sandboxIsGone, networkOwner, DOCKER_NETWORK_LABEL } from "./foreign.js";
export { settleHandedOver } from "./handover.js";
export { unpublishSandboxPorts } from "./sandbox-ports.js";
export { leasedInSubnet } from "./subnet-leases.js";
export type { SandboxAttachSpec, SandboxDetachSpec, SandboxEndpoint, SandboxNetworkDefinition, SandboxNetworkRequest } from "./spec.js";
