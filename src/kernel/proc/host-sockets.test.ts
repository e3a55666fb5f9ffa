import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcNetSockets } from "./host-sockets.js";

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4712 1 0000000000000000 100 0 0 10 0
   2: 0200590A:1F90 0300590A:C350 01 00000000:00000000 00:00000000 00000000     0        0 4713 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4714 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 0100590A:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4715 2 0000000000000000 0
`;

test("parseProcNetSockets() reads listening tcp sockets (not connected ones) with address, port and inode", () => {
  assert.deepEqual(parseProcNetSockets(TCP, "tcp", false), [
    { proto: "tcp", address: "0.0.0.0", port: 8080, inode: 4711 },
    { proto: "tcp", address: "127.0.0.1", port: 53, inode: 4712 },
  ]);
  assert.deepEqual(parseProcNetSockets(TCP6, "tcp", true), [{ proto: "tcp", address: "::", port: 8081, inode: 4714 }]);
});

test("parseProcNetSockets() reads bound udp sockets", () => {
  assert.deepEqual(parseProcNetSockets(UDP, "udp", false), [{ proto: "udp", address: "10.89.0.1", port: 53, inode: 4715 }]);
  assert.deepEqual(parseProcNetSockets("header only\n", "udp", false), []);
});
