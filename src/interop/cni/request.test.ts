import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig, parseEnvironment } from "./request.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode } from "./spec.js";

const env = (over: Record<string, string | undefined>) => ({ CNI_COMMAND: "ADD", CNI_CONTAINERID: "abc123", CNI_IFNAME: "eth0", CNI_NETNS: "/var/run/netns/x", CNI_PATH: "/opt/cni/bin", ...over });
const cfg = (over: Record<string, unknown> = {}) => JSON.stringify({ cniVersion: "1.0.0", name: "podnet", type: "berth", subnet: "10.22.1.0/24", ...over });

function rejects(fn: () => unknown, code: number, msg: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CniError && e.code === code && msg.test(e.message) && (e.details ?? "").length > 0);
}

test("parseEnvironment() checks what each command needs and names the variable that is wrong", () => {
  assert.deepEqual(parseEnvironment(env({ CNI_ARGS: "K8S_POD_NAME=web;IgnoreUnknown=1" })).args.get("K8S_POD_NAME"), "web");
  assert.equal(parseEnvironment(env({ CNI_COMMAND: "DEL", CNI_NETNS: "" })).netns, undefined, "DEL may come without a namespace");
  assert.equal(parseEnvironment({ CNI_COMMAND: "VERSION" }).command, "VERSION");
  rejects(() => parseEnvironment(env({ CNI_COMMAND: "NUKE" })), CniErrorCode.INVALID_ENVIRONMENT, /CNI_COMMAND is "NUKE"/);
  rejects(() => parseEnvironment(env({ CNI_CONTAINERID: "a;rm -rf /" })), CniErrorCode.INVALID_ENVIRONMENT, /CNI_CONTAINERID is invalid/);
  rejects(() => parseEnvironment(env({ CNI_IFNAME: "eth0/../x" })), CniErrorCode.INVALID_ENVIRONMENT, /Invalid CNI_IFNAME interface name/);
  rejects(() => parseEnvironment(env({ CNI_IFNAME: "a-very-long-interface-name" })), CniErrorCode.INVALID_ENVIRONMENT, /Invalid CNI_IFNAME/);
  rejects(() => parseEnvironment(env({ CNI_NETNS: undefined })), CniErrorCode.INVALID_ENVIRONMENT, /CNI_NETNS is not set/);
  rejects(() => parseEnvironment(env({ CNI_NETNS: "relative/ns" })), CniErrorCode.INVALID_ENVIRONMENT, /not an absolute path/);
  rejects(() => parseEnvironment(env({ CNI_ARGS: "novalue" })), CniErrorCode.INVALID_ENVIRONMENT, /without a value/);
});

test("parseConfig() reads Berth's fields, runtimeConfig.portMappings and prevResult", () => {
  const c = parseConfig(cfg({ network: "pods", internal: true, mtu: 1400, runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "TCP", hostIP: "127.0.0.1" }] }, prevResult: { cniVersion: "1.0.0", ips: [] } }), "ADD");
  assert.equal(c.network, "pods");
  assert.equal(c.internal, true);
  assert.equal(c.enableDns, true);
  assert.equal(c.mtu, 1400);
  assert.deepEqual(c.portMappings, [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "127.0.0.1" }]);
  assert.deepEqual(c.prevResult, { cniVersion: "1.0.0", ips: [] });
  assert.equal(parseConfig(cfg(), "ADD").network, "podnet", "the network defaults to the configuration's name");
  assert.deepEqual(parseConfig(cfg({ clusterCIDRs: ["10.244.0.0/16"] }), "ADD").clusterCidrs, ["10.244.0.0/16"]);
  assert.equal(parseConfig(cfg(), "ADD").clusterCidrs, undefined);
  assert.deepEqual(parseConfig(cfg({ cniVersion: "1.1.0", "cni.dev/valid-attachments": [{ containerID: "a", ifname: "eth0" }] }), "GC").validAttachments, [{ containerID: "a", ifname: "eth0" }]);
});

test("parseConfig() refuses bad configuration with the spec's codes and a fix", () => {
  rejects(() => parseConfig("{not json", "ADD"), CniErrorCode.DECODE_FAILURE, /not JSON/);
  rejects(() => parseConfig("[]", "ADD"), CniErrorCode.DECODE_FAILURE, /not a JSON object/);
  rejects(() => parseConfig(cfg({ cniVersion: "9.9.9" }), "ADD"), CniErrorCode.INCOMPATIBLE_VERSION, /"9.9.9" is not supported/);
  rejects(() => parseConfig(cfg(), "GC"), CniErrorCode.INCOMPATIBLE_VERSION, /GC needs CNI version 1.1.0/);
  rejects(() => parseConfig(cfg({ bridgeMode: "x" }), "ADD"), CniErrorCode.UNSUPPORTED_FIELD, /unknown field\(s\).*bridgeMode/);
  rejects(() => parseConfig(cfg({ ipam: { type: "host-local" } }), "ADD"), CniErrorCode.UNSUPPORTED_FIELD, /"ipam" is not used/);
  rejects(() => parseConfig(cfg({ ipMasq: false }), "ADD"), CniErrorCode.UNSUPPORTED_FIELD, /ipMasq/);
  rejects(() => parseConfig(cfg({ subnet: "10.22.1.0/33" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^subnet: /);
  rejects(() => parseConfig(cfg({ network: "bad name;x" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^network: Invalid network name/);
  rejects(() => parseConfig(cfg({ mtu: 10 }), "ADD"), CniErrorCode.INVALID_CONFIG, /"mtu" must be/);
  rejects(() => parseConfig(cfg({ clusterCIDRs: "10.244.0.0/16" }), "ADD"), CniErrorCode.INVALID_CONFIG, /"clusterCIDRs" must be a non-empty list/);
  rejects(() => parseConfig(cfg({ clusterCIDRs: ["10.244.0.0/33"] }), "ADD"), CniErrorCode.INVALID_CONFIG, /^clusterCIDRs: Invalid IPv4 subnet/);
  rejects(() => parseConfig(cfg({ clusterCIDRs: ["0.0.0.0/0"] }), "ADD"), CniErrorCode.INVALID_CONFIG, /^clusterCIDRs: Cluster CIDR 0\.0\.0\.0\/0 overlaps "this network"/);
  rejects(() => parseConfig(cfg({ subnet: "127.0.0.0/24" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^subnet: Subnet 127\.0\.0\.0\/24 overlaps loopback/);
  rejects(() => parseConfig(cfg({ subnet: "169.254.169.0/24" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^subnet: .*link-local/);
  rejects(() => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }), "ADD"), CniErrorCode.INVALID_CONFIG, /hostPort must be a port number/);
  rejects(() => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: "sctp" }] } }), "ADD"), CniErrorCode.INVALID_CONFIG, /"sctp" is not supported/);
  rejects(() => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, hostIP: "1.2.3" }] } }), "ADD"), CniErrorCode.INVALID_CONFIG, /hostIP/);
});
