import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig, parseEnvironment } from "./request.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode } from "./spec.js";

const env = (over: Record<string, string | undefined>) => ({
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "abc123",
  CNI_IFNAME: "eth0",
  CNI_NETNS: "/var/run/netns/x",
  CNI_PATH: "/opt/cni/bin",
  ...over,
});
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
  const c = parseConfig(
    cfg({
      network: "pods",
      internal: true,
      mtu: 1400,
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "TCP", hostIP: "127.0.0.1" }] },
      prevResult: { cniVersion: "1.0.0", ips: [] },
    }),
    "ADD",
  );
  assert.equal(c.network, "pods");
  assert.equal(c.internal, true);
  assert.equal(c.enableDns, false);
  assert.equal(c.mtu, 1400);
  assert.deepEqual(c.portMappings, [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "127.0.0.1" }]);
  assert.deepEqual(c.prevResult, { cniVersion: "1.0.0", ips: [] });
  assert.equal(parseConfig(cfg(), "ADD").network, "podnet", "the network defaults to the configuration's name");
  assert.deepEqual(parseConfig(cfg({ clusterCIDRs: ["10.244.0.0/16"] }), "ADD").clusterCidrs, ["10.244.0.0/16"]);
  assert.equal(parseConfig(cfg(), "ADD").clusterCidrs, undefined);
  assert.deepEqual(parseConfig(cfg({ cniVersion: "1.1.0", "cni.dev/valid-attachments": [{ containerID: "a", ifname: "eth0" }] }), "GC").validAttachments, [
    { containerID: "a", ifname: "eth0" },
  ]);
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
  rejects(
    () => parseConfig(cfg({ clusterCIDRs: ["0.0.0.0/0"] }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /^clusterCIDRs: Cluster CIDR 0\.0\.0\.0\/0 overlaps "this network"/,
  );
  rejects(() => parseConfig(cfg({ subnet: "127.0.0.0/24" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^subnet: Subnet 127\.0\.0\.0\/24 overlaps loopback/);
  rejects(() => parseConfig(cfg({ subnet: "169.254.169.0/24" }), "ADD"), CniErrorCode.INVALID_CONFIG, /^subnet: .*link-local/);
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /hostPort must be a port number/,
  );
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: "sctp" }] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /"sctp" is not supported/,
  );
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, hostIP: "1.2.3" }] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /hostIP/,
  );
});

test("parseConfig() reads runtimeConfig as containerd's go-cni writes it (capitalised keys, empty HostIP) and as the conventions spell it", () => {
  const goCni = parseConfig(
    cfg({
      runtimeConfig: {
        portMappings: [
          { HostPort: 8080, ContainerPort: 80, Protocol: "tcp", HostIP: "" },
          { HostPort: 5353, ContainerPort: 53, Protocol: "UDP", HostIP: "127.0.0.1" },
        ],
      },
    }),
    "ADD",
  );
  assert.deepEqual(goCni.portMappings, [
    { hostPort: 8080, containerPort: 80, protocol: "tcp" },
    { hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: "127.0.0.1" },
  ]);
  const ranges = parseConfig(cfg({ runtimeConfig: { ipRanges: [[{ subnet: "10.22.1.0/24" }], [{ subnet: "fd00:22:1::/64" }]] } }), "ADD");
  assert.deepEqual(ranges.ipRanges, [[{ subnet: "10.22.1.0/24" }], [{ subnet: "fd00:22:1::/64" }]]);
  const flat = parseConfig(cfg({ runtimeConfig: { ipRanges: [{ Subnet: "10.22.1.0/24", RangeStart: "", RangeEnd: "", Gateway: "10.22.1.1" }] } }), "ADD");
  assert.deepEqual(flat.ipRanges, [[{ subnet: "10.22.1.0/24", gateway: "10.22.1.1" }]], "go-cni's flat list of IPRanges");
  const dns = parseConfig(cfg({ runtimeConfig: { dns: { Servers: ["10.96.0.10"], Searches: ["default.svc.cluster.local"], Options: ["ndots:5"] } } }), "ADD");
  assert.deepEqual(dns.runtimeDns, { nameservers: ["10.96.0.10"], search: ["default.svc.cluster.local"], options: ["ndots:5"] });
  assert.deepEqual(parseConfig(cfg({ runtimeConfig: { dns: { servers: ["10.96.0.10"], searches: ["svc.cluster.local"] } } }), "ADD").runtimeDns, {
    nameservers: ["10.96.0.10"],
    search: ["svc.cluster.local"],
  });
  const other = parseConfig(
    cfg({
      runtimeConfig: {
        bandwidth: { IngressRate: 1000000, IngressBurst: 0, EgressRate: 0, EgressBurst: 0 },
        cgroupPath: "/kubepods/x",
        "io.kubernetes.cri.pod-annotations": { a: "b" },
        somethingNew: [1],
      },
    }),
    "ADD",
  );
  assert.deepEqual(other.portMappings, [], "capabilities Berth does not use are accepted, not refused");
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { portMappings: [{ HostPort: 0, ContainerPort: 80 }] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /hostPort must be a port number/,
  );
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { ipRanges: [[{ subnet: "10.22.1.0/99" }]] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /ipRanges\[0\]\[0\]\.subnet/,
  );
  rejects(() => parseConfig(cfg({ runtimeConfig: { dns: { servers: ["not-an-ip"] } } }), "ADD"), CniErrorCode.INVALID_CONFIG, /dns\.servers/);
});

test("parseConfig(): CHECK needs 0.4.0 or later", () => {
  rejects(() => parseConfig(cfg({ cniVersion: "0.3.1" }), "CHECK"), CniErrorCode.INCOMPATIBLE_VERSION, /CHECK needs CNI version 0\.4\.0/);
  assert.equal(parseConfig(cfg({ cniVersion: "0.4.0" }), "CHECK").cniVersion, "0.4.0");
});

test("parseConfig(): dual stack from subnet6 or the runtime's ipRanges; nodeCIDRs; hairpinMode; Berth's DNS off unless asked for", () => {
  const d = parseConfig(
    cfg({ subnet6: "fd00:22:1::/64", clusterCIDRs: ["10.22.0.0/16", "fd00:22::/48"], nodeCIDRs: ["192.168.50.0/24"], hairpinMode: true }),
    "ADD",
  );
  assert.equal(d.subnet6, "fd00:22:1::/64");
  assert.deepEqual(d.clusterCidrs, ["10.22.0.0/16", "fd00:22::/48"]);
  assert.deepEqual(d.nodeCidrs, ["192.168.50.0/24"]);
  assert.equal(d.hairpinMode, true);
  assert.equal(d.enableDns, false, "Kubernetes brings its own DNS");
  assert.equal(parseConfig(cfg({ enableDns: true }), "ADD").enableDns, true);
  const r = parseConfig(
    cfg({ subnet: undefined, runtimeConfig: { ipRanges: [[{ subnet: "10.22.1.0/24" }], [{ subnet: "fd00:22:1::/64", gateway: "fd00:22:1::fe" }]] } }),
    "ADD",
  );
  assert.deepEqual([r.subnet, r.subnet6, r.gateway6], ["10.22.1.0/24", "fd00:22:1::/64", "fd00:22:1::fe"]);
  assert.equal(
    parseConfig(cfg({ subnet: undefined, runtimeConfig: { ipRanges: [{ Subnet: "10.22.1.0/24", Gateway: "10.22.1.254" }] } }), "ADD").gateway,
    "10.22.1.254",
    "the range's gateway when the configuration has none",
  );
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { ipRanges: [[{ subnet: "10.99.0.0/24" }]] } }), "ADD"),
    CniErrorCode.INVALID_CONFIG,
    /not the node's subnet 10\.22\.1\.0\/24/,
  );
  rejects(
    () => parseConfig(cfg({ runtimeConfig: { ipRanges: [[{ subnet: "10.22.1.0/24", rangeStart: "10.22.1.100" }]] } }), "ADD"),
    CniErrorCode.UNSUPPORTED_FIELD,
    /whole subnet/,
  );
  rejects(() => parseConfig(cfg({ clusterCIDRs: ["fd00:22::/48"] }), "ADD"), CniErrorCode.INVALID_CONFIG, /no IPv6 subnet/);
  rejects(() => parseConfig(cfg({ subnet: undefined, subnet6: "fd00:22:1::/64" }), "ADD"), CniErrorCode.INVALID_CONFIG, /"subnet6" needs "subnet"/);
  rejects(() => parseConfig(cfg({ nodeCIDRs: [] }), "ADD"), CniErrorCode.INVALID_CONFIG, /"nodeCIDRs" must be a non-empty list/);
});
