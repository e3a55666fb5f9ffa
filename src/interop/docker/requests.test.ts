import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthError } from "../../errors.js";
import { parseBody } from "./json-body.js";
import { parseCreateEndpoint, parseCreateNetwork, parseJoin } from "./driver-requests.js";
import { parseRequestAddress, parseRequestPool } from "./ipam-requests.js";
import { parsePortMap } from "./port-map.js";
import { endpointMac, handoverName, isHandoverName, sandboxIdOf } from "./names.js";

const NET = "3a6a739c1a222c02b791fb15092df9cf4c71c38890fd97de15023a4bbd88e7d8";
const EP = "78a6e618c59e7a558a9252a61b344a4550f26c0e90b2a640720ff46f8fc09083";

/** Bodies as dockerd 20.10 sent them (captured with `berth docker-plugin --log-requests`). */
const CREATE_NETWORK = `{"NetworkID":"${NET}","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{"com.docker.network.driver.mtu":"1400"}},"IPv4Data":[{"AddressSpace":"berth-local","Gateway":"10.99.0.1/24","Pool":"10.99.0.0/24"}],"IPv6Data":[]}`;
const CREATE_ENDPOINT = `{"NetworkID":"${NET}","EndpointID":"${EP}","Interface":{"Address":"10.99.0.2/24","AddressIPv6":"","MacAddress":""},"Options":{"com.docker.network.endpoint.exposedports":[{"Proto":17,"Port":90},{"Proto":6,"Port":80}],"com.docker.network.portmap":[{"Proto":17,"IP":"","Port":90,"HostIP":"127.0.0.1","HostPort":9090,"HostPortEnd":9090},{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8080,"HostPortEnd":8080}]}}`;

test("dockerd's CreateNetwork and CreateEndpoint bodies parse into pools, options, addresses and ports", () => {
  const n = parseCreateNetwork(parseBody(CREATE_NETWORK));
  assert.deepEqual(n, {
    networkId: NET,
    ipv4: [{ pool: "10.99.0.0/24", gateway: "10.99.0.1/24" }],
    ipv6: [],
    driverOptions: { "com.docker.network.driver.mtu": "1400" },
    internal: false,
  });
  const e = parseCreateEndpoint(parseBody(CREATE_ENDPOINT));
  assert.equal(e.address, "10.99.0.2/24");
  assert.equal(e.address6, undefined);
  assert.equal(e.mac, undefined);
  assert.deepEqual(e.ports, [
    { proto: "udp", hostIp: "127.0.0.1", hostPort: 9090, containerPort: 90 },
    { proto: "tcp", hostIp: "", hostPort: 8080, containerPort: 80 },
  ]);
});

test("requests that did not come from dockerd are refused, naming the field", () => {
  const refused = (text: string, field: RegExp) =>
    assert.throws(
      () => parseCreateEndpoint(parseBody(text)),
      (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT" && field.test(e.message),
    );
  refused("not json", /body is not JSON/);
  refused("[]", /body is not an object/);
  refused(`{"NetworkID":"abc","EndpointID":"${EP}"}`, /NetworkID is not a Docker id/);
  refused(`{"NetworkID":"${NET}"}`, /EndpointID is missing/);
  refused(`{"NetworkID":"${NET}","EndpointID":"${EP}","Interface":{"Address":5}}`, /Address is not a string/);
  refused(`{"NetworkID":"${NET}","EndpointID":"${EP}","Options":{"com.docker.network.portmap":{}}}`, /portmap is not an array/);
  assert.throws(
    () => parseJoin(parseBody(`{"NetworkID":"${NET}","EndpointID":"${EP}","SandboxKey":""}`)),
    (e: unknown) => e instanceof BerthError && /SandboxKey is empty/.test(e.message),
  );
});

test("port bindings: SCTP and a missing host port are refused with what to do; a bad host address is refused", () => {
  const map = (b: object) => ({ "com.docker.network.portmap": [b] });
  assert.throws(
    () => parsePortMap(map({ Proto: 132, Port: 80, HostIP: "", HostPort: 80 })),
    (e: unknown) => e instanceof BerthError && /IP protocol 132/.test(e.message) && /tcp or udp/.test(e.hint ?? ""),
  );
  assert.throws(
    () => parsePortMap(map({ Proto: 6, Port: 80, HostIP: "", HostPort: 0 })),
    (e: unknown) => e instanceof BerthError && /without a host port/.test(e.message) && /-p 80:80/.test(e.hint ?? ""),
  );
  assert.throws(() => parsePortMap(map({ Proto: 6, Port: 80, HostIP: "300.1.1.1", HostPort: 80 })), BerthError);
  assert.deepEqual(parsePortMap(map({ Proto: 6, Port: 80, HostIP: "::", HostPort: 8000, HostPortEnd: 8010 })), [
    { proto: "tcp", hostIp: "::", hostPort: 8000, containerPort: 80 },
  ]);
});

test("IPAM requests: a pool asked for or not, the gateway's request type, a preferred address", () => {
  assert.deepEqual(parseRequestPool(parseBody('{"AddressSpace":"berth-local","Pool":"","SubPool":"","Options":{},"V6":false}')), {
    addressSpace: "berth-local",
    pool: undefined,
    subPool: undefined,
    v6: false,
  });
  assert.deepEqual(
    parseRequestAddress(parseBody('{"PoolID":"berth:10.99.0.0/24","Address":"","Options":{"RequestAddressType":"com.docker.network.gateway"}}')),
    {
      poolId: "berth:10.99.0.0/24",
      address: undefined,
      forGateway: true,
    },
  );
  assert.equal(parseRequestAddress(parseBody('{"PoolID":"berth:10.99.0.0/24","Address":"10.99.0.7","Options":null}')).address, "10.99.0.7");
});

test("names: the handed-over interface fits IFNAMSIZ, the MAC is locally administered and the same every time, the sandbox id is the key's file name", () => {
  assert.equal(handoverName(EP), "bdc78a6e618c59e");
  assert.ok(handoverName(EP).length <= 15);
  // settle waits while the moved interface still has this name (dockerd renames it to ethN after the move)
  assert.ok(isHandoverName(handoverName(EP)));
  assert.ok(!isHandoverName("eth0"));
  assert.equal(endpointMac(EP), "02:78:a6:e6:18:c5");
  assert.equal(sandboxIdOf("/var/run/docker/netns/005ae7dbbb03"), "005ae7dbbb03");
  assert.throws(
    () => sandboxIdOf("/var/run/docker/netns/../../etc"),
    (e: unknown) => e instanceof BerthError && /Unexpected Docker sandbox key/.test(e.message),
  );
});
