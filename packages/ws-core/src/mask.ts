/**
 * §5.3 masking: payload[i] ^= mask[i % 4]. XOR with a 4-byte key is its own inverse, so the
 * same code masks and unmasks.
 *
 * Speed: a byte loop costs one load/xor/store per byte. For longer runs we XOR whole 32-bit
 * words: bytes up to the first 4-aligned address go one at a time, then a Uint32Array view
 * covers the aligned middle with the mask rotated to line up, then the tail bytes. The mask
 * word is assembled through a Uint8Array/Uint32Array pair over the same 4 bytes, so it is in
 * the machine's byte order and the trick works on either endianness.
 */

/** Below this many bytes, creating a Uint32Array view costs more than it saves. */
const WORD_LOOP_THRESHOLD = 64;

const maskWordBytes = new Uint8Array(4);
const maskWord = new Int32Array(maskWordBytes.buffer);

/**
 * XORs `payload` in place with `mask`. `offset` is the position of payload[0] within the
 * whole frame payload, for unmasking a frame that arrives in pieces.
 */
export function applyMask(payload: Uint8Array, mask: Uint8Array, offset = 0): void {
  xorRange(payload, 0, payload.length, mask, offset);
}

/**
 * Copies `length` bytes from `source[sourceStart..]` to `target[targetStart..]`, masking them
 * with `mask` (from mask phase 0) when one is given. Short runs are copied and masked in one
 * pass; long ones are copied natively and then masked a word at a time.
 */
export function copyMasked(
  source: Uint8Array,
  sourceStart: number,
  target: Uint8Array,
  targetStart: number,
  length: number,
  mask: Uint8Array | undefined,
): void {
  if (length >= WORD_LOOP_THRESHOLD || mask === undefined) {
    target.set(
      sourceStart === 0 && length === source.length
        ? source
        : source.subarray(sourceStart, sourceStart + length),
      targetStart,
    );
    if (mask !== undefined) xorRange(target, targetStart, length, mask, 0);
    return;
  }
  for (let i = 0; i < length; i++) {
    target[targetStart + i] = (source[sourceStart + i] as number) ^ (mask[i & 3] as number);
  }
}

/** XORs bytes[start .. start+length) with the mask, bytes[start] taking mask[phase & 3]. */
function xorRange(
  bytes: Uint8Array,
  start: number,
  length: number,
  mask: Uint8Array,
  phase: number,
): void {
  const end = start + length;
  let i = start;
  if (length >= WORD_LOOP_THRESHOLD) {
    const head = (4 - ((bytes.byteOffset + start) & 3)) & 3;
    for (const stop = start + head; i < stop; i++) {
      bytes[i] = (bytes[i] as number) ^ (mask[(i - start + phase) & 3] as number);
    }
    const shift = (i - start + phase) & 3;
    maskWordBytes[0] = mask[shift] ?? 0;
    maskWordBytes[1] = mask[(shift + 1) & 3] ?? 0;
    maskWordBytes[2] = mask[(shift + 2) & 3] ?? 0;
    maskWordBytes[3] = mask[(shift + 3) & 3] ?? 0;
    // Int32 keeps every value a small integer for V8 (Uint32 values above 2^31 are not).
    // `as number`: indices are in bounds, so skip the undefined check in the hot loop.
    const word = maskWord[0] as number;
    const words = (end - i) >>> 2;
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = (view[w] as number) ^ word;
    i += words * 4;
  }
  // The tail, or the whole of a short run: one byte at a time.
  for (; i < end; i++) bytes[i] = (bytes[i] as number) ^ (mask[(i - start + phase) & 3] as number);
}
