import { closeSync, fstatSync, openSync, readSync, writeSync, constants } from "node:fs";
import { BerthError } from "../errors.js";
import { openAppendNoFollow } from "../private-paths.js";
import { parseZoneContainer } from "./zone-snapshot.js";
import type { ZoneDelta } from "./zone-delta.js";

/**
 * One change in `<runDir>/dns/zone.journal`: the containers that left or
 * joined a network (a container that changes is both) between zone serial
 * `base` and `serial`. The engine appends one line per change; zone.json
 * plus the lines whose serials follow it is the zone to serve, so the
 * journal is both the resolver's change feed and, with zone.json, the
 * record a restarted resolver starts from.
 */
export interface JournalEntry extends ZoneDelta {
  readonly base: number;
  readonly serial: number;
}

function bad(what: string): BerthError {
  return new BerthError("STATE", `Invalid DNS zone journal entry: ${what}`, {
    hint: "The engine rewrites zone.json and empties the journal on the next network change; run `berth system reconcile` to force it",
  });
}

function serialOf(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw bad(`${what} ${JSON.stringify(v)} is not a whole number`);
  return v;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(`${what} is not a list`);
  return v;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function text(v: unknown, what: string): string {
  if (typeof v !== "string") throw bad(`${what} is not a string`);
  return v;
}

/** The line the engine appends for `entry` (one JSON object and a newline). */
export function formatJournalEntry(entry: JournalEntry): string {
  return `${JSON.stringify({ base: entry.base, serial: entry.serial, removed: entry.removed, added: entry.added })}\n`;
}

/** Check one parsed journal line; throws BerthError (code STATE) naming the first bad field. */
export function parseJournalEntry(json: unknown): JournalEntry {
  const o = record(json, "the entry");
  const base = serialOf(o["base"], "base");
  const serial = serialOf(o["serial"], "serial");
  if (serial <= base) throw bad(`serial ${serial} does not follow base ${base}`);
  const removed = list(o["removed"], "removed").map((r, i) => {
    const x = record(r, `removed[${i}]`);
    return { network: text(x["network"], `removed[${i}].network`), id: text(x["id"], `removed[${i}].id`) };
  });
  const added = list(o["added"], "added").map((a, i) => {
    const x = record(a, `added[${i}]`);
    return { network: text(x["network"], `added[${i}].network`), container: parseZoneContainer(x["container"], `added[${i}].container`) };
  });
  return { base, serial, removed, added };
}

/**
 * The journal's first line: which zone.json serial it follows. Serials only
 * grow, so each journal the engine starts has a header of its own, and a
 * reader tells a new journal from the one it was reading by it (an inode
 * number can come back for a new file).
 */
function journalHeader(after: number): string {
  return `{"journal":1,"after":${after}}\n`;
}

/** Append `entry` to the journal in one write(2) (O_APPEND, no link followed); a new journal gets its header first, in the same write. */
export function appendJournal(file: string, entry: JournalEntry): void {
  const fd = openAppendNoFollow(file);
  try {
    const line = formatJournalEntry(entry);
    writeSync(fd, fstatSync(fd).size === 0 ? journalHeader(entry.base) + line : line);
  } finally {
    closeSync(fd);
  }
}

/** What a read of the journal found since the last one. */
export interface JournalRead {
  /** The journal was replaced (or is gone) since the last read: `entries` start from its beginning. */
  readonly replaced: boolean;
  readonly entries: readonly JournalEntry[];
  /** Lines that were not entries (logged by the caller, then skipped). */
  readonly errors: readonly string[];
}

/** The journal's header line (without its newline), or undefined while it is not whole yet. */
function headerOf(fd: number): string | undefined {
  const buf = Buffer.alloc(80);
  const n = readSync(fd, buf, 0, buf.length, 0);
  const end = buf.subarray(0, n).indexOf(10);
  return end < 0 ? undefined : buf.subarray(0, end).toString("latin1");
}

/**
 * Reads the journal the engine appends to, each call only what was added
 * since the last (O(what changed)): it remembers the journal's header and
 * how far it read, starts over when the engine has started a new journal,
 * and keeps a line the engine is still writing for the next call.
 */
export class JournalReader {
  #header: string | undefined;
  #offset = 0;
  #partial = "";

  constructor(private readonly file: string) {}

  /** Read from the journal's beginning next time. */
  restart(): void {
    this.#header = undefined;
    this.#offset = 0;
    this.#partial = "";
  }

  read(): JournalRead {
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      const replaced = this.#header !== undefined;
      this.restart();
      return { replaced, entries: [], errors: [] };
    }
    let replaced = false;
    const chunks: Buffer[] = [];
    try {
      const header = headerOf(fd);
      // a journal being started (its first write not whole yet): the next change event reads it
      if (header === undefined) return { replaced: false, entries: [], errors: [] };
      const size = fstatSync(fd).size;
      if (header !== this.#header || size < this.#offset) {
        replaced = this.#header !== undefined;
        this.restart();
        this.#header = header;
        this.#offset = header.length + 1;
      }
      for (;;) {
        const buf = Buffer.alloc(Math.max(4096, size - this.#offset));
        const n = readSync(fd, buf, 0, buf.length, this.#offset);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        this.#offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.#partial + Buffer.concat(chunks).toString("utf8")).split("\n");
    this.#partial = lines.pop() ?? "";
    const entries: JournalEntry[] = [];
    const errors: string[] = [];
    for (const line of lines) {
      if (line === "") continue;
      try {
        entries.push(parseJournalEntry(JSON.parse(line)));
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return { replaced, entries, errors };
  }
}

/**
 * The serial of a zone file, read from its first bytes (the engine writes
 * it before the networks) instead of parsing the whole zone; 0 when there
 * is none (no file, or a zone without a serial, such as `system reset`'s
 * empty one).
 */
export function zoneFileSerial(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return 0;
  }
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    const m = /^\{"version":1,"serial":(\d{1,16})[,}]/.exec(head.subarray(0, n).toString("latin1"));
    const serial = m ? Number(m[1]) : 0;
    return Number.isSafeInteger(serial) ? serial : 0;
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}
