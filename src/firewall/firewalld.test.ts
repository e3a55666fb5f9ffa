import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthError } from "../errors.js";
import { DEFAULT_SYSTEM_BUS, FirewalldBus, busSocketPath, dbusErrorText, parseDbusSendReply, systemBusAddress } from "./firewalld.js";

test("systemBusAddress() takes DBUS_SYSTEM_BUS_ADDRESS, else the well-known socket", () => {
  assert.equal(systemBusAddress({}), DEFAULT_SYSTEM_BUS);
  assert.equal(systemBusAddress({ DBUS_SYSTEM_BUS_ADDRESS: " " }), DEFAULT_SYSTEM_BUS);
  assert.equal(systemBusAddress({ DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/tmp/x" }), "unix:path=/tmp/x");
});

test("busSocketPath() reads the first unix:path= entry; undefined for abstract sockets and TCP", () => {
  const table: [string, string | undefined][] = [
    ["unix:path=/run/dbus/system_bus_socket", "/run/dbus/system_bus_socket"],
    ["unix:path=/tmp/a%20b,guid=0123", "/tmp/a b"],
    ["unix:guid=1,path=/tmp/x", "/tmp/x"],
    ["unix:abstract=/tmp/dbus-x", undefined],
    ["tcp:host=127.0.0.1,port=1", undefined],
    ["tcp:host=h,port=1;unix:path=/tmp/y", "/tmp/y"],
  ];
  for (const [address, want] of table) assert.equal(busSocketPath(address), want, address);
});

test("parseDbusSendReply() reads strings, booleans and arrays of strings", () => {
  const head = "method return time=1.2 sender=:1.2 -> destination=:1.3 serial=5 reply_serial=2\n";
  assert.deepEqual(parseDbusSendReply(`${head}   string "trusted"\n`), ["trusted"]);
  assert.deepEqual(parseDbusSendReply(`${head}   string ""\n`), [""]);
  assert.deepEqual(parseDbusSendReply(`${head}   boolean true\n`), [true]);
  assert.deepEqual(parseDbusSendReply(`${head}   array [\n      string "10.88.0.0/16"\n      string "fd00::/64"\n   ]\n`), ["10.88.0.0/16", "fd00::/64"]);
  assert.deepEqual(parseDbusSendReply(`${head}   array [\n   ]\n`), []);
});

test("dbusErrorText() keeps firewalld's code and words", () => {
  assert.equal(
    dbusErrorText("Error org.fedoraproject.FirewallD1.Exception: ZONE_ALREADY_SET: '10.9.0.0/24' already bound to 'trusted'\n"),
    "ZONE_ALREADY_SET: '10.9.0.0/24' already bound to 'trusted'",
  );
});

test("running() is false without a bus socket and starts no program", () => {
  const calls: string[][] = [];
  const bus = new FirewalldBus("unix:path=/nonexistent/berth-test-bus", (file, args) => {
    calls.push([file, ...args]);
    return { code: 0, stdout: "", stderr: "" };
  });
  assert.equal(bus.running(), false);
  assert.deepEqual(calls, []);
});

test("running() asks NameHasOwner when the socket exists; zone calls are argv, errors are FIREWALLD with firewalld's words", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-bus-"));
  const sock = join(dir, "bus");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    const calls: string[][] = [];
    const answers: { code: number; stdout: string; stderr: string }[] = [
      { code: 0, stdout: "method return\n   boolean true\n", stderr: "" },
      { code: 0, stdout: 'method return\n   string ""\n', stderr: "" },
      { code: 0, stdout: 'method return\n   string "trusted"\n', stderr: "" },
      { code: 1, stdout: "", stderr: "Error org.fedoraproject.FirewallD1.Exception: INVALID_ZONE: nope\n" },
    ];
    const bus = new FirewalldBus(`unix:path=${sock}`, (file, args) => {
      calls.push([file, ...args]);
      return answers.shift() ?? { code: 1, stdout: "", stderr: "no answer" };
    });
    assert.equal(bus.running(), true);
    assert.equal(bus.zoneOfSource("10.9.0.0/24"), "");
    bus.addSource("trusted", "10.9.0.0/24");
    assert.throws(
      () => bus.removeSource("nope", "10.9.0.0/24"),
      (e: unknown) =>
        e instanceof BerthError && e.code === "FIREWALLD" && e.message === "Cannot remove 10.9.0.0/24 from firewalld's nope zone: INVALID_ZONE: nope",
    );
    assert.deepEqual(calls[0], [
      "dbus-send",
      `--bus=unix:path=${sock}`,
      "--print-reply",
      "--reply-timeout=10000",
      "--dest=org.freedesktop.DBus",
      "/org/freedesktop/DBus",
      "org.freedesktop.DBus.NameHasOwner",
      "string:org.fedoraproject.FirewallD1",
    ]);
    assert.deepEqual(calls[2]?.slice(5), [
      "/org/fedoraproject/FirewallD1",
      "org.fedoraproject.FirewallD1.zone.addSource",
      "string:trusted",
      "string:10.9.0.0/24",
    ]);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bus that never answers is a FIREWALLD error naming the bus, not a hang", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-bus-"));
  const sock = join(dir, "bus");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    const bus = new FirewalldBus(`unix:path=${sock}`, () => {
      throw new BerthError("RUNTIME", "Cannot run dbus-send: spawnSync dbus-send ETIMEDOUT");
    });
    assert.throws(
      () => bus.running(),
      (e: unknown) => e instanceof BerthError && e.code === "FIREWALLD" && e.message.includes(`no answer from the system bus at unix:path=${sock}`),
    );
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
