import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";

const MODULE = new URL("./copy-output.js", import.meta.url).href;
const SIZE = 4 << 20;

/** A Node program that copies SIZE bytes (0..255 repeating) to its stdout with copyOutput, then says "done" on stderr. */
const WRITER = `
import { copyOutput } from ${JSON.stringify(MODULE)};
const bytes = Buffer.alloc(${SIZE});
for (let i = 0; i < bytes.length; i++) bytes[i] = i & 255;
copyOutput(1, bytes);
process.on("exit", () => process.stderr.write("done\\n"));
`;

function run(
  args: string[],
  readStdout: (out: Readable, err: Readable) => Promise<Buffer | undefined>,
): Promise<{ code: number | null; stderr: string; out: Buffer | undefined }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const out = readStdout(child.stdout, child.stderr);
  return new Promise((resolve) => child.on("close", (code) => void out.then((o) => resolve({ code, stderr, out: o }))));
}

function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((r) => s.on("end", () => r(Buffer.concat(chunks))));
}

function expected(): Buffer {
  const b = Buffer.alloc(SIZE);
  for (let i = 0; i < b.length; i++) b[i] = i & 255;
  return b;
}

test("copyOutput writes every byte through a pipe far larger than its buffer", async () => {
  const r = await run(["--input-type=module", "-e", WRITER], readAll);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.out?.equals(expected()));
});

test("a reader that goes away early (| head -c 1) ends the copy quietly: no stack trace, the program goes on", async () => {
  const r = await run(["--input-type=module", "-e", WRITER], (out) => {
    return new Promise((resolve) => {
      out.once("data", () => {
        out.destroy();
        resolve(undefined);
      });
    });
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "done\n");
});

test("a non-blocking stdout (O_NONBLOCK, which a parent that is not Node.js may pass on) gets every byte, in order", async () => {
  // libuv opens fd 1 non-blocking here; the writer fills the pipe (write(2) says EAGAIN), tells the
  // reader, and copies at once, so that copyOutput finds the pipe full
  const writer = `
import { writeSync } from "node:fs";
import { Socket } from "node:net";
new Socket({ fd: 1, readable: false });
let filled = 0;
const zeros = Buffer.alloc(4096);
for (;;) {
  try { filled += writeSync(1, zeros); } catch (e) { if (e.code !== "EAGAIN") throw e; break; }
}
process.stderr.write("full " + filled + "\\n");
${WRITER}`;
  const r = await run(["--input-type=module", "-e", writer], async (out, err) => {
    out.pause();
    await new Promise<void>((resolve) => err.on("data", (d: Buffer) => d.toString().startsWith("full") && resolve()));
    return readAll(out.resume());
  });
  assert.equal(r.code, 0, r.stderr);
  const filled = Number(/^full (\d+)$/m.exec(r.stderr)?.[1]);
  assert.ok(filled > 0, r.stderr);
  assert.ok(r.out?.subarray(filled).equals(expected()), `got ${r.out?.length ?? 0} bytes after ${filled}`);
  assert.match(r.stderr, /done\n$/);
});
