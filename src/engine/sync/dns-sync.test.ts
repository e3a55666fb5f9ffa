import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildZone, compactZone, journalPath, publishedSerial, zonePath } from "./dns-sync.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { Engine } from "../context.js";
import { Store } from "../../store/index.js";
import { createNetwork, dryRunContainer, removeContainer, runContainer } from "../index.js";
import { JournalReader } from "../../dns/zone-journal.js";
import { ZoneModel } from "../../dns/zone-model.js";
import { parseZoneSnapshot, type DnsZoneSnapshot } from "../../dns/index.js";

test("publishedSerial reads the serial from the zone file's start; 0 when missing, absent or not a zone", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-serial-"));
  try {
    const file = join(dir, "zone.json");
    assert.equal(publishedSerial(file), 0, "no file");
    const big = { id: "n", containers: Array.from({ length: 2000 }, (_, i) => ({ id: String(i), name: `c${i}` })) };
    writeFileSync(file, JSON.stringify({ version: 1, serial: 1780000000123, networks: [big] }));
    assert.equal(publishedSerial(file), 1780000000123);
    writeFileSync(file, JSON.stringify({ version: 1, serial: 7 }));
    assert.equal(publishedSerial(file), 7);
    writeFileSync(file, JSON.stringify({ version: 1, networks: [] }));
    assert.equal(publishedSerial(file), 0, "no serial");
    writeFileSync(file, "garbage");
    assert.equal(publishedSerial(file), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const zoneFile = (e: Engine) => parseZoneSnapshot(JSON.parse(readFileSync(zonePath(e), "utf8")));
const journal = (e: Engine) => new JournalReader(journalPath(e)).read().entries;

/** What a resolver starting now would serve: zone.json, then the journal lines that follow it. */
function whatAResolverReads(e: Engine): DnsZoneSnapshot {
  const m = new ZoneModel(zoneFile(e));
  for (const j of journal(e)) {
    if (j.serial <= (m.serial ?? 0)) continue;
    assert.equal(j.base, m.serial, "each line follows the one before");
    assert.ok(m.apply(j));
  }
  return m.snapshot();
}

/** A zone's names per network, order aside (the journal keeps the order of changes, the store that of addresses). */
function names(z: DnsZoneSnapshot): Record<string, string[]> {
  return Object.fromEntries(z.networks.map((n) => [n.name, n.containers.map((c) => `${c.name} ${c.ipv4 ?? ""}`).sort()]));
}

async function run(t: FakeEngine, name: string, network = "web") {
  return (await runContainer(t.engine, { command: ["sleep", "60"], name, detach: true, networks: [network] })).container;
}

test("an engine that published the zone publishes a container's change as one journal line, not zone.json", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    await run(t, "a");
    const first = zoneFile(t.engine);
    assert.deepEqual(names(first), { web: ["a 10.77.0.2"] }, "the first publish writes the zone whole");
    assert.equal(existsSync(journalPath(t.engine)), false);
    await run(t, "b");
    await run(t, "c");
    await removeContainer(t.engine, "b", { force: true });
    assert.deepEqual(zoneFile(t.engine), first, "zone.json is left as it was");
    const lines = journal(t.engine);
    assert.deepEqual(
      lines.map((l) => [l.added.map((a) => a.container.name), l.removed.length]),
      [
        [["b"], 0],
        [["c"], 0],
        [[], 1],
      ],
      "one line per change, with only the container that changed",
    );
    assert.deepEqual(names(whatAResolverReads(t.engine)), names(buildZone(t.engine)));
    const served = t.resolver.served;
    assert.deepEqual(
      served,
      [...served].sort((x, y) => x - y),
      "serials only grow",
    );
    assert.equal(new Set(served).size, served.length);
    assert.equal(served.at(-1), lines.at(-1)?.serial, "the resolver is asked for the last line's serial");
  } finally {
    t.close();
  }
});

test("zone.json is written whole when a network comes into or leaves the zone", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    createNetwork(t.engine, { name: "db", subnet: "10.78.0.0/24" });
    await run(t, "a");
    await run(t, "b");
    assert.equal(journal(t.engine).length, 1);
    await run(t, "x", "db");
    assert.deepEqual(names(zoneFile(t.engine)), { web: ["a 10.77.0.2", "b 10.77.0.3"], db: ["x 10.78.0.2"] });
    assert.equal(existsSync(journalPath(t.engine)), false, "the journal goes with a whole zone.json");
    await removeContainer(t.engine, "x", { force: true });
    assert.deepEqual(names(zoneFile(t.engine)), { web: ["a 10.77.0.2", "b 10.77.0.3"] }, "the network's last container: written whole");
  } finally {
    t.close();
  }
});

test("another process's change or publish since makes the next publish a whole one", async () => {
  const t = new FakeEngine();
  const other = () =>
    new Engine({ paths: t.paths, store: Store.open(t.paths.db), kernel: t.kernel, firewall: () => t.firewall, runtime: t.runtime, resolver: t.resolver });
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    await run(t, "a");
    await run(t, "b");
    // another process (a fresh engine on the same state) runs a container: its first publish is whole
    const e2 = other();
    await runContainer(e2, { command: ["sleep", "60"], name: "c", detach: true, networks: ["web"] });
    e2.close();
    assert.deepEqual(names(zoneFile(t.engine)).web, ["a 10.77.0.2", "b 10.77.0.3", "c 10.77.0.4"]);
    assert.equal(existsSync(journalPath(t.engine)), false);
    // this engine's model lacks c: its next publish must not be a line against its old zone
    await run(t, "d");
    assert.deepEqual(names(whatAResolverReads(t.engine)).web, ["a 10.77.0.2", "b 10.77.0.3", "c 10.77.0.4", "d 10.77.0.5"]);
    // a change committed by another process without a publish is seen too (the store's data_version)
    const e3 = other();
    e3.store.write(() => e3.store.containers.delete(e3.store.containers.find("a")!.id));
    e3.close();
    await run(t, "e");
    assert.deepEqual(names(whatAResolverReads(t.engine)).web, ["b 10.77.0.3", "c 10.77.0.4", "d 10.77.0.5", "e 10.77.0.6"]);
  } finally {
    t.close();
  }
});

test("compactZone writes the engine's zone to zone.json and drops the journal; the zone read is the same", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    for (const n of ["a", "b", "c"]) await run(t, n);
    const before = whatAResolverReads(t.engine);
    const last = journal(t.engine).at(-1)?.serial;
    compactZone(t.engine);
    assert.equal(existsSync(journalPath(t.engine)), false);
    assert.equal(zoneFile(t.engine).serial, last, "zone.json carries the serial the resolver already serves");
    assert.deepEqual(whatAResolverReads(t.engine), before);
    await run(t, "d");
    assert.deepEqual(
      journal(t.engine).map((l) => l.base),
      [last],
      "the next line follows the compacted zone",
    );
  } finally {
    t.close();
  }
});

test("a dry run between two changes leaves the real engine's pending changes to it", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    await run(t, "a");
    await run(t, "b");
    // a committed change the engine has not published yet (as when a verb fails after its write)
    t.engine.store.write(() => t.engine.store.containers.delete(t.engine.store.containers.find("b")!.id));
    await dryRunContainer(t.engine, { command: ["sleep", "60"], name: "planned", detach: true, networks: ["web"] });
    await run(t, "c");
    assert.deepEqual(names(whatAResolverReads(t.engine)).web, ["a 10.77.0.2", "c 10.77.0.4"]);
  } finally {
    t.close();
  }
});
