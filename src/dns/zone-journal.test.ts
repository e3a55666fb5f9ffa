import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendJournal, formatJournalEntry, JournalReader, parseJournalEntry, zoneFileSerial, type JournalEntry } from "./zone-journal.js";
import { BerthError } from "../errors.js";

const c = (n: number) => ({ id: `${n}`.padStart(64, "a"), name: `c${n}`, aliases: [], ipv4: `10.0.0.${n}`, ipv6: undefined, dnsServers: [] });
const entry = (base: number, serial: number, added: number[], removed: number[] = []): JournalEntry => ({
  base,
  serial,
  removed: removed.map((n) => ({ network: "net", id: c(n).id })),
  added: added.map((n) => ({ network: "net", container: c(n) })),
});

function inDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "berth-journal-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a journal entry survives formatting and parsing", () => {
  const e = entry(5, 6, [1, 2], [3]);
  assert.deepEqual(parseJournalEntry(JSON.parse(formatJournalEntry(e))), e);
  assert.ok(formatJournalEntry(e).endsWith("}\n"));
});

test("parseJournalEntry rejects entries the engine does not write, naming the field", () => {
  const reject = (v: unknown, what: RegExp) =>
    assert.throws(
      () => parseJournalEntry(v),
      (e: unknown) => e instanceof BerthError && e.code === "STATE" && what.test(e.message),
    );
  reject([], /the entry is not an object/);
  reject({ base: 2, serial: 2, removed: [], added: [] }, /serial 2 does not follow base 2/);
  reject({ base: -1, serial: 2, removed: [], added: [] }, /base -1/);
  reject({ base: 1, serial: 2, removed: {}, added: [] }, /removed is not a list/);
  reject({ base: 1, serial: 2, removed: [{ network: "n" }], added: [] }, /removed\[0\]\.id/);
  reject({ base: 1, serial: 2, removed: [], added: [{ network: "n", container: { id: "x", name: "x" } }] }, /neither ipv4 nor ipv6/);
});

test("JournalReader reads only what was appended since its last read", () =>
  inDir((dir) => {
    const file = join(dir, "zone.journal");
    const r = new JournalReader(file);
    assert.deepEqual(r.read(), { replaced: false, entries: [], errors: [] }, "no journal yet");
    appendJournal(file, entry(1, 2, [1]));
    appendJournal(file, entry(2, 3, [2]));
    assert.deepEqual(
      r.read().entries.map((e) => e.serial),
      [2, 3],
    );
    assert.deepEqual(r.read().entries, [], "nothing new");
    appendJournal(file, entry(3, 4, [], [1]));
    const third = r.read();
    assert.equal(third.replaced, false);
    assert.deepEqual(third.entries, [entry(3, 4, [], [1])]);
  }));

test("JournalReader keeps a line still being written for the next read", () =>
  inDir((dir) => {
    const file = join(dir, "zone.journal");
    const r = new JournalReader(file);
    appendJournal(file, entry(1, 2, [1]));
    const line = formatJournalEntry(entry(2, 3, [2]));
    appendFileSync(file, line.slice(0, 20));
    assert.deepEqual(
      r.read().entries.map((e) => e.serial),
      [2],
    );
    appendFileSync(file, line.slice(20));
    assert.deepEqual(
      r.read().entries.map((e) => e.serial),
      [3],
    );
  }));

test("JournalReader starts over when the engine starts a new journal, even one longer than what it had read", () =>
  inDir((dir) => {
    const file = join(dir, "zone.journal");
    const r = new JournalReader(file);
    appendJournal(file, entry(1, 2, [1]));
    assert.equal(r.read().entries.length, 1);
    rmSync(file);
    assert.equal(r.read().replaced, true, "gone");
    appendJournal(file, entry(2, 3, [1]));
    r.read();
    // a new journal (zone.json rewritten at serial 9) that has grown past the old read offset before the next read
    rmSync(file);
    for (let s = 9; s < 14; s++) appendJournal(file, entry(s, s + 1, [s]));
    const next = r.read();
    assert.equal(next.replaced, true);
    assert.deepEqual(
      next.entries.map((e) => e.serial),
      [10, 11, 12, 13, 14],
    );
  }));

test("JournalReader reports a line that is not an entry and goes on", () =>
  inDir((dir) => {
    const file = join(dir, "zone.journal");
    appendJournal(file, entry(1, 2, [1]));
    appendFileSync(file, "not json\n");
    appendJournal(file, entry(2, 3, [2]));
    const got = new JournalReader(file).read();
    assert.deepEqual(
      got.entries.map((e) => e.serial),
      [2, 3],
    );
    assert.equal(got.errors.length, 1);
  }));

test("zoneFileSerial reads the serial from the zone file's start; 0 when missing, absent or not a zone", () =>
  inDir((dir) => {
    const file = join(dir, "zone.json");
    assert.equal(zoneFileSerial(file), 0, "no file");
    const big = { id: "n", containers: Array.from({ length: 2000 }, (_, i) => ({ id: String(i), name: `c${i}` })) };
    writeFileSync(file, JSON.stringify({ version: 1, serial: 1780000000123, networks: [big] }));
    assert.equal(zoneFileSerial(file), 1780000000123);
    writeFileSync(file, JSON.stringify({ version: 1, networks: [] }));
    assert.equal(zoneFileSerial(file), 0, "no serial");
  }));
