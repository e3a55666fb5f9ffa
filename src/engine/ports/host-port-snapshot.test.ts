import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPortSnapshot, isPortHolderOf, type SocketOwner } from "./host-port-snapshot.js";

const ID = "8ed5d74f21d2bf14825ca895818a31e605114528d59e5d2e87ab46df82d4aea2";
const conmon = (args: string[]): SocketOwner => ({ pid: 95, name: "conmon", argv: ["/usr/bin/conmon", "--api-version", "1", ...args] });

test("isPortHolderOf(): only the conmon of that very container holds its ports", () => {
  assert.equal(isPortHolderOf(conmon(["-c", ID, "-u", ID]), ID), true);
  assert.equal(isPortHolderOf(conmon(["--cid", ID]), ID), true);
  assert.equal(isPortHolderOf(conmon([`--cid=${ID}`]), ID), true);
  assert.equal(isPortHolderOf(conmon(["-c", "0".repeat(64)]), ID), false, "another container's conmon");
  assert.equal(isPortHolderOf({ pid: 7, name: "nginx", argv: ["nginx", "-c", ID] }, ID), false, "not conmon");
});

test("HostPortSnapshot: 0.0.0.0 and :: clash with every address of their family, a given address with itself and the wildcards", () => {
  const s = HostPortSnapshot.of(
    [
      { proto: "tcp", address: "127.0.0.1", port: 8080, inode: 1 },
      { proto: "tcp", address: "::", port: 8081, inode: 2 },
      { proto: "udp", address: "0.0.0.0", port: 8080, inode: 3 },
    ],
    new Map([[1, conmon(["-c", ID])]]),
  );
  assert.deepEqual(
    s.clashes("tcp", "0.0.0.0", 8080).map((x) => x.inode),
    [1],
  );
  assert.deepEqual(s.clashes("tcp", "10.0.0.1", 8080), []);
  assert.deepEqual(
    s.clashes("tcp", "10.0.0.1", 8081).map((x) => x.inode),
    [2],
    "a :: listener takes IPv4 too",
  );
  assert.deepEqual(
    s.clashes("udp", "127.0.0.1", 8080).map((x) => x.inode),
    [3],
  );
  assert.equal(s.anyOn("tcp", 8080), true);
  assert.equal(s.anyOn("tcp", 9999), false);
  assert.equal(s.ownerOf(1)?.name, "conmon");
});
