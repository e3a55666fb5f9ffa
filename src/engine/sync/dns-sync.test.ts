import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishedSerial } from "./dns-sync.js";

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
