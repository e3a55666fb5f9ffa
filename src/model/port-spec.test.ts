import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePortSpec } from "./port-spec.js";
import { BerthError } from "../errors.js";

test("parsePortSpec() reads every Podman form", () => {
  // no host address: "" (every address of each family the container's network has)
  assert.deepEqual(parsePortSpec("8080"), [{ proto: "tcp", hostIp: "", hostPort: 0, containerPort: 8080 }]);
  assert.deepEqual(parsePortSpec("9090:8080"), [{ proto: "tcp", hostIp: "", hostPort: 9090, containerPort: 8080 }]);
  assert.deepEqual(parsePortSpec("0.0.0.0:9090:8080"), [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 9090, containerPort: 8080 }]);
  assert.deepEqual(parsePortSpec("[::]:9090:8080"), [{ proto: "tcp", hostIp: "::", hostPort: 9090, containerPort: 8080 }]);
  assert.deepEqual(parsePortSpec("[FD00:0:0::0001]::53/udp"), [{ proto: "udp", hostIp: "fd00::1", hostPort: 0, containerPort: 53 }]);
  assert.deepEqual(parsePortSpec("192.168.233.128:9092:8080"), [{ proto: "tcp", hostIp: "192.168.233.128", hostPort: 9092, containerPort: 8080 }]);
  assert.deepEqual(parsePortSpec("127.0.0.1::53/udp"), [{ proto: "udp", hostIp: "127.0.0.1", hostPort: 0, containerPort: 53 }]);
  assert.deepEqual(parsePortSpec("8000-8001:9000-9001/udp"), [
    { proto: "udp", hostIp: "", hostPort: 8000, containerPort: 9000 },
    { proto: "udp", hostIp: "", hostPort: 8001, containerPort: 9001 },
  ]);
});

test("parsePortSpec() refuses bad specs with a reason and a hint", () => {
  const cases: [string, RegExp][] = [
    ["0:80", /outside 1-65535/],
    ["70000:80", /outside 1-65535/],
    ["9000-8000:80-81", /reversed/],
    ["8000-8002:9000-9001", /3 ports but the container range has 2/],
    ["80/sctp", /SCTP is not supported/],
    ["80/icmp", /unknown protocol/],
    ["[::1]:8080:80", /cannot forward connections from ::1 into a container/],
    ["[0:0::1]:8080:80", /cannot forward connections from ::1/],
    ["[fd00::1%eth0]:8080:80", /not an IPv6 host address in brackets/],
    ["[fd00::1:8080:80", /not an IPv6 host address in brackets/],
    ["fd00::1:8080:80", /must be written in brackets/],
    ["1.2.3:80:80", /not an IPv4 host address/],
    ["abc:80", /not a number/],
    ["9090:", /container port is missing/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(
      () => parsePortSpec(spec),
      (e: unknown) => e instanceof BerthError && re.test(e.message) && (e.hint ?? "") !== "",
      spec,
    );
  }
});
