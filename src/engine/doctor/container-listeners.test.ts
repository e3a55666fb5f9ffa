import { test } from "node:test";
import assert from "node:assert/strict";
import { listenerFindings } from "./container-listeners.js";
import type { StoredPort } from "../../store/index.js";
import type { HostSocket } from "../../kernel/proc/host-sockets.js";

const port = (containerPort: number, proto: "tcp" | "udp" = "tcp", hostPort = 9500): StoredPort => ({
  containerId: "c",
  proto,
  hostIp: "0.0.0.0",
  hostPort,
  containerPort,
});
const sock = (address: string, p: number, proto: "tcp" | "udp" = "tcp"): HostSocket => ({ proto, address, port: p, inode: 1 });
const input = { container: "web", containerIp: "10.89.0.2", netns: "/run/netns/berth-abc" };

test("nothing bound on a published container port is PORT_NOT_LISTENING with an nsenter ss command", () => {
  const f = listenerFindings({ ...input, ports: [port(8080)], sockets: [sock("0.0.0.0", 22)] });
  assert.deepEqual(
    f.map((x) => [x.code, x.severity]),
    [["PORT_NOT_LISTENING", "error"]],
  );
  assert.equal(f[0]?.summary, "nothing listens on 8080/tcp inside web: connections to host port 9500 are refused");
  assert.match(f[0]?.fix ?? "", /nsenter --net=\/run\/netns\/berth-abc ss -ltnp/);
});

test("a listener on 0.0.0.0, :: or the container's address is fine; one on 127.0.0.1 only is PORT_NOT_REACHABLE", () => {
  for (const a of ["0.0.0.0", "::", "10.89.0.2"]) assert.deepEqual(listenerFindings({ ...input, ports: [port(8080)], sockets: [sock(a, 8080)] }), [], a);
  const f = listenerFindings({ ...input, ports: [port(8080)], sockets: [sock("127.0.0.1", 8080)] });
  assert.deepEqual(
    f.map((x) => x.code),
    ["PORT_NOT_REACHABLE"],
  );
  assert.match(f[0]?.summary ?? "", /listens only on 127\.0\.0\.1/);
});

test("protocols are told apart, and one container port published twice is checked once", () => {
  const f = listenerFindings({ ...input, ports: [port(53, "udp", 5353), port(53, "udp", 5354), port(53, "tcp", 5353)], sockets: [sock("0.0.0.0", 53, "tcp")] });
  assert.deepEqual(
    f.map((x) => x.summary.split(":")[0]),
    ["nothing listens on 53/udp inside web"],
  );
  assert.match(f[0]?.fix ?? "", /ss -lunp/);
});
