import assert from "node:assert/strict";
import type { Codec } from "./codec.js";

/**
 * dns-packet's testEncoder: encode, decode, re-encode and compare; then
 * encode at offset 10 of a larger buffer and decode it from there.
 */
export function testEncoder<T>(codec: Codec<T>, value: T, expected: T = value): void {
  const buf = codec.encode(value);
  assert.equal(buf.length, codec.encodingLength(value), "encodingLength matches the bytes written");
  const dec = codec.decode(buf);
  assert.deepEqual(dec.value, expected);
  assert.equal(dec.length, buf.length, "decode consumed what encode wrote");
  assert.deepEqual(codec.encode(dec.value), codec.encode(expected), "re-encoding gives the same bytes");
  const big = Buffer.alloc(codec.encodingLength(value) + 20, 0xee);
  codec.encode(value, big, 10);
  const at = codec.decode(big, 10);
  assert.deepEqual(at.value, expected);
  assert.equal(at.length, buf.length);
}
