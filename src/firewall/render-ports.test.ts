import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthError } from "../errors.js";
import { checkPortMapping, renderAddPortMappings, renderDeletePortMappings, renderDeleteLivePortMappings, type PortMapping } from "./render-ports.js";

const any: PortMapping = { proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerIp: "10.89.1.2", containerPort: 80 };
const one: PortMapping = { proto: "udp", hostIp: "192.0.2.11", hostPort: 5353, containerIp: "10.89.1.3", containerPort: 53 };

test("renderAddPortMappings() inserts map elements only: 0.0.0.0 into dnat_any, one address into dnat_addr", () => {
  assert.equal(
    renderAddPortMappings([any, one]),
    "add element inet berth dnat_any { tcp . 8080 : 10.89.1.2 . 80 }\n" + "add element inet berth dnat_addr { udp . 192.0.2.11 . 5353 : 10.89.1.3 . 53 }\n",
  );
});

test("renderAddPortMappings() puts many mappings of one map in one command and drops exact duplicates", () => {
  const ms = [any, { ...any, proto: "udp" as const }, { ...any, hostPort: 8081 }, any];
  assert.equal(
    renderAddPortMappings(ms),
    "add element inet berth dnat_any { tcp . 8080 : 10.89.1.2 . 80, udp . 8080 : 10.89.1.2 . 80, tcp . 8081 : 10.89.1.2 . 80 }\n",
  );
  assert.equal(renderAddPortMappings([]), "");
});

test("renderDeletePortMappings() adds, then deletes, so a mapping that is already gone cannot fail the transaction", () => {
  assert.equal(
    renderDeletePortMappings([any, one]),
    [
      "add element inet berth dnat_any { tcp . 8080 : 10.89.1.2 . 80 }",
      "add element inet berth dnat_addr { udp . 192.0.2.11 . 5353 : 10.89.1.3 . 53 }",
      "delete element inet berth dnat_any { tcp . 8080 }",
      "delete element inet berth dnat_addr { udp . 192.0.2.11 . 5353 }",
      "",
    ].join("\n"),
  );
  assert.equal(renderDeleteLivePortMappings([one]), "delete element inet berth dnat_addr { udp . 192.0.2.11 . 5353 }\n");
});

test("one request that maps a host port to two targets is rejected with PORT_IN_USE", () => {
  assert.throws(() => renderAddPortMappings([any, { ...any, containerIp: "10.89.1.9" }]), {
    code: "PORT_IN_USE",
    message: "Cannot publish tcp 0.0.0.0:8080 -> 10.89.1.9:80: the same request also maps it to 10.89.1.2:80",
  });
});

test("checkPortMapping() normalizes and rejects what nft must never see", () => {
  assert.deepEqual(checkPortMapping(any), any);
  const bad: [Partial<Record<keyof PortMapping, unknown>>, string][] = [
    [{ proto: "sctp" }, "INVALID_ARGUMENT"],
    [{ proto: "tcp . 1 : 1.1.1.1 . 1 }; flush ruleset; #" }, "INVALID_ARGUMENT"],
    [{ hostPort: 0 }, "INVALID_ARGUMENT"],
    [{ hostPort: 65536 }, "INVALID_ARGUMENT"],
    [{ hostPort: 80.5 }, "INVALID_ARGUMENT"],
    [{ containerPort: -1 }, "INVALID_ARGUMENT"],
    [{ hostIp: "1.2.3" }, "INVALID_ADDRESS"],
    [{ hostIp: "0.0.0.0 . 1 }" }, "INVALID_ADDRESS"],
    [{ containerIp: "010.1.1.1" }, "INVALID_ADDRESS"],
    [{ containerIp: "0.0.0.0" }, "INVALID_ARGUMENT"],
  ];
  for (const [over, code] of bad) {
    const m = { ...any, ...over } as PortMapping;
    assert.throws(
      () => renderAddPortMappings([m]),
      (e: unknown) => e instanceof BerthError && e.code === code,
      JSON.stringify(over),
    );
  }
});

test("IPv6 mappings go to dnat_any6 (host ::) and dnat_addr6 (one IPv6 host address), in canonical form", () => {
  const any6: PortMapping = { proto: "tcp", hostIp: "::", hostPort: 8080, containerIp: "FD00:89:0::2", containerPort: 80 };
  const one6: PortMapping = { proto: "udp", hostIp: "2001:db8:0::1", hostPort: 5353, containerIp: "fd00:89::3", containerPort: 53 };
  assert.equal(
    renderAddPortMappings([any, any6, one6]),
    "add element inet berth dnat_any { tcp . 8080 : 10.89.1.2 . 80 }\n" +
      "add element inet berth dnat_any6 { tcp . 8080 : fd00:89::2 . 80 }\n" +
      "add element inet berth dnat_addr6 { udp . 2001:db8::1 . 5353 : fd00:89::3 . 53 }\n",
  );
});

test("checkPortMapping() refuses mixed families and a ::1 host address", () => {
  const cases: [PortMapping, RegExp][] = [
    [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 1, containerIp: "fd00::2", containerPort: 1 }, /different families/],
    [{ proto: "tcp", hostIp: "::", hostPort: 1, containerIp: "10.0.0.2", containerPort: 1 }, /different families/],
    [{ proto: "tcp", hostIp: "::1", hostPort: 1, containerIp: "fd00::2", containerPort: 1 }, /cannot DNAT from ::1/],
    [{ proto: "tcp", hostIp: "::", hostPort: 1, containerIp: "::", containerPort: 1 }, /container address is ::/],
  ];
  for (const [m, re] of cases)
    assert.throws(
      () => checkPortMapping(m),
      (e: unknown) => e instanceof BerthError && re.test(e.message),
      JSON.stringify(m),
    );
});
