import { test } from "node:test";
import assert from "node:assert/strict";
import { FirewalldBus } from "../../firewall/index.js";
import { NOT_RUNNING_FOR_MS, realFirewalld } from "./firewalld.js";

/** A bus (TCP address: no socket file to stat) whose NameHasOwner answer the test sets, counting the questions. */
function fakeBus(): { answer: boolean; asked: number; at: (address: string) => FirewalldBus } {
  const b = {
    answer: false,
    asked: 0,
    at: (address: string) =>
      new FirewalldBus(address, () => {
        b.asked++;
        return { code: 0, stdout: `method return\n   boolean ${String(b.answer)}\n`, stderr: "" };
      }),
  };
  return b;
}

test("runningForSetup() remembers the bus's 'no' for a while; a 'yes' is asked every time; running() always asks", () => {
  const saved = process.env["DBUS_SYSTEM_BUS_ADDRESS"];
  process.env["DBUS_SYSTEM_BUS_ADDRESS"] = "tcp:host=127.0.0.1,port=1";
  try {
    let clock = 1_000;
    const bus = fakeBus();
    const fw = realFirewalld(() => clock, bus.at);
    assert.equal(fw.runningForSetup(), false);
    assert.equal(fw.runningForSetup(), false);
    assert.equal(bus.asked, 1, "the second setup trusts the first 'no'");
    // firewalld starts: reconcile and network create ask for real, and what they hear replaces the 'no'
    bus.answer = true;
    assert.equal(fw.running(), true);
    assert.equal(fw.runningForSetup(), true);
    assert.equal(fw.runningForSetup(), true);
    assert.equal(bus.asked, 4, "a 'yes' is never remembered (firewalld may stop)");
    bus.answer = false;
    assert.equal(fw.runningForSetup(), false);
    bus.answer = true;
    clock += NOT_RUNNING_FOR_MS - 1;
    assert.equal(fw.runningForSetup(), false, "still within the remembered 'no'");
    clock += 1;
    assert.equal(fw.runningForSetup(), true, "asked again once it is over");
    // another bus (the caller's DBUS_SYSTEM_BUS_ADDRESS changed): asked at once
    bus.answer = false;
    assert.equal(fw.runningForSetup(), false);
    process.env["DBUS_SYSTEM_BUS_ADDRESS"] = "tcp:host=127.0.0.1,port=2";
    const before = bus.asked;
    fw.runningForSetup();
    assert.equal(bus.asked, before + 1);
  } finally {
    if (saved === undefined) delete process.env["DBUS_SYSTEM_BUS_ADDRESS"];
    else process.env["DBUS_SYSTEM_BUS_ADDRESS"] = saved;
  }
});
