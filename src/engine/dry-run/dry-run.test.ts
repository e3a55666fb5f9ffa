// --dry-run on the engine's fakes (no root): the plan names what would
// change, and nothing changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createNetwork, runContainer } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { dryRunConnect, dryRunContainer, dryRunDisconnect, dryRunRemove, rehearseAttach, type PlannedChange } from "./index.js";

function lines(changes: readonly PlannedChange[]): string[] {
  return changes.map((c) => `${c.kind} ${c.text}`);
}

test("rm and disconnect --dry-run name the addresses they would release on IPv6-only and dual-stack networks", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "only6", subnet: "fd00:91:6::/64" });
    createNetwork(t.engine, { name: "dual", subnet: ["10.91.6.0/24", "fd00:91:7::/64"] });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "v6", detach: true, networks: ["only6", "dual"] });
    const before = t.state();
    const rm = lines(await dryRunRemove(t.engine, ["v6"], true));
    assert.ok(
      rm.some((l) => /^state release fd00:91:6::[0-9a-f]+ on network only6$/.test(l)),
      rm.join("\n"),
    );
    assert.ok(
      rm.some((l) => /^state release 10\.91\.6\.[0-9]+ and fd00:91:7::[0-9a-f]+ on network dual$/.test(l)),
      rm.join("\n"),
    );
    const off = lines(await dryRunDisconnect(t.engine, "only6", "v6"));
    assert.ok(
      off.some((l) => /^state release fd00:91:6::[0-9a-f]+ on network only6$/.test(l)),
      off.join("\n"),
    );
    for (const l of [...rm, ...off]) assert.doesNotMatch(l, /undefined/);
    assert.deepEqual(t.state(), before, "a dry run changes nothing");
  } finally {
    t.close();
  }
});

test("run --dry-run lists the run's steps up to the start, leaves even the address cursor as it was, and the real run gets the planned address", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "planned", subnet: "10.91.0.0/24" });
    const db = t.engine.store.db.serialize();
    const kernel = t.kernel.snapshot();
    const plan = lines(await dryRunContainer(t.engine, { command: ["sleep", "60"], name: "web", detach: true, networks: ["planned"], publish: ["9300:8080"] }));
    const lease = plan.map((l) => /^state lease (10\.91\.0\.[0-9]+) on network planned for web$/.exec(l)?.[1]).find((ip) => ip !== undefined);
    assert.ok(lease, plan.join("\n"));
    for (const want of [
      /^namespace create .*\/berth-[0-9a-f]{12} \(loopback up\)$/,
      /^link create bridge berth[0-9]+/,
      /^link create veth bth[0-9a-f]+ \(on berth[0-9]+, up\) with its peer eth0 .*inside web$/,
      /^route default via 10\.91\.0\.1 dev eth0 inside web/,
      new RegExp(`^nft add element tcp \\. 9300 : ${lease.replaceAll(".", "\\.")} \\. 8080 to map dnat_any$`),
      /^runtime start "sleep 60" with the OCI runtime, watched by conmon$/,
    ])
      assert.ok(
        plan.some((l) => want.test(l)),
        `${String(want)} in:\n${plan.join("\n")}`,
      );
    assert.deepEqual(t.engine.store.db.serialize(), db, "the store (with its address cursors) is as it was");
    assert.deepEqual(t.kernel.snapshot(), kernel, "the kernel is as it was");
    assert.deepEqual(
      t.firewall.snapshot().filter((l) => l.startsWith("port")),
      [],
    );
    assert.deepEqual(t.runtime.snapshot(), []);
    const { container } = await runContainer(t.engine, { command: ["sleep", "60"], name: "web", detach: true, networks: ["planned"], publish: ["9300:8080"] });
    assert.equal(t.engine.store.attachments.forContainer(container.id)[0]?.ip, lease, "the real run got the planned address");
  } finally {
    t.close();
  }
});

test("a dry run refuses what the real verb refuses, from the kernel's state as well as the store's", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "planned", subnet: "10.91.0.0/24" });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "web", detach: true, networks: ["planned"] });
    await assert.rejects(dryRunRemove(t.engine, ["web"], false), /it is running/);
    await assert.rejects(dryRunConnect(t.engine, "planned", "web", {}), /already connected/);
    // something else took the network's bridge name in the host's namespace since: refused, as in a real run
    const other = createNetwork(t.engine, { name: "other", subnet: "10.92.0.0/24" });
    t.kernel.addHostLink(other.bridge);
    const kernel = t.kernel.snapshot();
    await assert.rejects(dryRunConnect(t.engine, "other", "web", {}), new RegExp(other.bridge));
    assert.deepEqual(t.kernel.snapshot(), kernel);
  } finally {
    t.close();
  }
});

test("rehearseAttach() walks a whole sandbox attach (network, veth, port) and changes nothing", async () => {
  const t = new FakeEngine();
  try {
    const netns = join(t.dir, "netns", "warm-up-test"); // the fake kernel writes the file a namespace is mounted on: never on the host
    t.kernel.netnsCreate(netns);
    const before = t.state();
    const plan = lines(await rehearseAttach(t.engine, netns));
    for (const want of [
      /^link create bridge berthwarmup0/,
      /^link create veth .* with its peer berthwarmup1/,
      /^nft add element tcp \. 65431 : 198\.18\.255\.[0-9]+ \. 80/,
    ])
      assert.ok(
        plan.some((l) => want.test(l)),
        `${String(want)} in:\n${plan.join("\n")}`,
      );
    assert.deepEqual(t.state(), before, "a rehearsal changes nothing");
  } finally {
    t.close();
  }
});
