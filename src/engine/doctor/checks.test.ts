import { test } from "node:test";
import assert from "node:assert/strict";
import { missingToolFindings } from "./tools.js";
import { ipForwardFindings, ipv6ForwardFindings } from "./ip-forward.js";
import { brNetfilterFindings } from "./br-netfilter.js";
import { neighbour6TableFindings, neighbourTableFindings } from "./neighbour-table.js";
import { net } from "./fixtures.test-support.js";

test("missingToolFindings() reports each missing tool once with its apt package; crun stands in for runc", () => {
  const have = new Set(["ip", "crun"]);
  const f = missingToolFindings((n) => (have.has(n) ? `/usr/bin/${n}` : undefined), "/usr/bin:/bin");
  assert.deepEqual(
    f.map((x) => [x.code, x.severity, x.fix]),
    [
      ["TOOL_MISSING", "error", "apt-get install nftables"],
      ["TOOL_MISSING", "error", "apt-get install conmon"],
    ],
  );
  assert.equal(f[0]?.evidence, "nft not found on PATH (/usr/bin:/bin)");
  assert.deepEqual(
    missingToolFindings(() => "/x", ""),
    [],
  );
  assert.match(missingToolFindings(() => undefined, "")[2]?.evidence ?? "", /^runc or crun not found/);
});

test("ipForwardFindings() is an error only when forwarding is off and a non-internal network has containers", () => {
  const web = { network: net("web"), containers: 2 };
  const internal = { network: net("db", { internal: true }), containers: 1 };
  const [f] = ipForwardFindings("0", [web, internal]);
  assert.equal(f?.code, "IP_FORWARD_OFF");
  assert.equal(f?.severity, "error");
  assert.equal(f?.fix, "sysctl -w net.ipv4.ip_forward=1");
  assert.match(f?.evidence ?? "", /^net\.ipv4\.ip_forward = 0; non-internal networks with containers: web \(2 containers\)$/);
  assert.deepEqual(ipForwardFindings("1", [web]), []);
  assert.deepEqual(ipForwardFindings("0", [internal]), [], "internal networks forward nothing");
  assert.deepEqual(ipForwardFindings("0", []), [], "no containers, nothing broken yet");
});

test("ipv6ForwardFindings() is an error only when IPv6 forwarding is off and a non-internal IPv6 network has containers", () => {
  const dual = { network: net("dual", { subnet6: "fd00:89::/64", gateway6: "fd00:89::1" }), containers: 1 };
  const v4 = { network: net("web"), containers: 2 };
  const [f] = ipv6ForwardFindings("0", [dual, v4]);
  assert.equal(f?.code, "IPV6_FORWARD_OFF");
  assert.match(f?.evidence ?? "", /^net\.ipv6\.conf\.all\.forwarding = 0; non-internal IPv6 networks with containers: dual \(1 container\)$/);
  assert.deepEqual(ipv6ForwardFindings("0", [v4]), [], "IPv4-only networks do not need it");
  assert.deepEqual(ipv6ForwardFindings("1", [dual]), []);
  const only6 = { network: net("only6", { subnet: undefined, gateway: undefined, subnet6: "fd00:1::/64", gateway6: "fd00:1::1" }), containers: 1 };
  assert.deepEqual(ipForwardFindings("0", [only6]), [], "an IPv6-only network does not need IPv4 forwarding");
});

test("brNetfilterFindings() is an info note when bridge-nf-call-iptables is 1, nothing when 0 or absent", () => {
  assert.deepEqual(
    brNetfilterFindings("1").map((f) => [f.code, f.severity, f.evidence]),
    [["BR_NETFILTER_ON", "info", "net.bridge.bridge-nf-call-iptables = 1"]],
  );
  assert.deepEqual(brNetfilterFindings("0"), []);
  assert.deepEqual(brNetfilterFindings(undefined), []);
});

test("neighbourTableFindings() warns once the host's gc_thresh3 is below two entries per container endpoint, and says what to set", () => {
  const big = { network: net("big"), containers: 600 };
  const small = { network: net("small"), containers: 10 };
  const [f] = neighbourTableFindings("1024", [big, small]);
  assert.equal(f?.code, "NEIGH_TABLE_SMALL");
  assert.equal(f?.severity, "warning");
  assert.equal(
    f?.evidence,
    "net.ipv4.neigh.default.gc_thresh3 = 1024 entries for all namespaces together; 610 endpoints need up to 1220 (one in each container for its gateway, one on the host for each container)",
  );
  assert.equal(f?.fix, "sysctl -w net.ipv4.neigh.default.gc_thresh3=3072 net.ipv4.neigh.default.gc_thresh2=1536 (on the host; persist it in /etc/sysctl.d/)");
  assert.deepEqual(neighbourTableFindings("1024", [{ network: net("big"), containers: 512 }]), [], "512 endpoints fit in 1024 entries");
  assert.deepEqual(neighbourTableFindings("4096", [big]), []);
  assert.deepEqual(neighbourTableFindings(undefined, [big]), [], "not the host's namespace: no knob to read");
  assert.deepEqual(neighbour6TableFindings("1024", [big]), [], "no IPv6 subnet, no IPv6 entries");
});
