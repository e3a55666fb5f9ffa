// What the engine drives besides its store: the kernel, Berth's nft table, the
// OCI runtime, the resolver and firewalld. Engine.open() wires the real ones;
// engine/testing/ has in-memory fakes.
export { realKernel, type Kernel, type Netlink } from "./kernel.js";
export { realFirewall, type FirewallTable } from "./firewall.js";
export { realFirewalld, type Firewalld } from "./firewalld.js";
export { realRuntime, type ContainerRuntime } from "./runtime.js";
export { realResolver, type Resolver } from "./resolver.js";
