export { attachSandbox } from "./sandbox-attach.js";
export { detachSandbox } from "./sandbox-detach.js";
export { listSandboxes, type SandboxMembership, type SandboxSummary } from "./list-sandboxes.js";
export { setNetworkDnsServers } from "./network-dns.js";
export { isForeign, refuseForeign, sandboxIsGone } from "./foreign.js";
export type { SandboxAttachSpec, SandboxDetachSpec, SandboxEndpoint, SandboxNetworkDefinition, SandboxNetworkRequest } from "./spec.js";
