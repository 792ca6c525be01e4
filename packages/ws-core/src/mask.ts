/**
 * §5.3 masking: payload[i] ^= mask[i % 4]. XOR with a 4-byte key is its own inverse, so the
 * same function masks and unmasks.
 *
 * Speed: a byte loop costs one load/xor/store per byte. For longer payloads we XOR whole
 * 32-bit words: bytes up to the first 4-aligned address go one at a time, then a Uint32Array
 * view covers the aligned middle with the mask rotated to line up, then the tail bytes.
 * The word is built in the machine's byte order through the same Uint32Array/Uint8Array pair,
 * so this works on either endianness.
 */

/** Below this many bytes, creating the Uint32Array view costs more than it saves. */
const WORD_LOOP_THRESHOLD = 32;

const maskWordBytes = new Uint8Array(4);
const maskWord = new Uint32Array(maskWordBytes.buffer);

/**
 * XORs `payload` in place with `mask`. `offset` is the position of payload[0] within the
 * whole frame payload, for unmasking a frame that arrives in pieces.
 */
export function applyMask(payload: Uint8Array, mask: Uint8Array, offset = 0): void {
  const length = payload.length;
  let i = 0;
  if (length >= WORD_LOOP_THRESHOLD) {
    const head = (4 - (payload.byteOffset & 3)) & 3;
    for (; i < head; i++) payload[i] = (payload[i] ?? 0) ^ (mask[(i + offset) & 3] ?? 0);
    const shift = (i + offset) & 3;
    maskWordBytes[0] = mask[shift] ?? 0;
    maskWordBytes[1] = mask[(shift + 1) & 3] ?? 0;
    maskWordBytes[2] = mask[(shift + 2) & 3] ?? 0;
    maskWordBytes[3] = mask[(shift + 3) & 3] ?? 0;
    const word = maskWord[0] ?? 0;
    const words = (length - i) >>> 2;
    const view = new Uint32Array(payload.buffer, payload.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = (view[w] ?? 0) ^ word;
    i += words * 4;
  }
  // The tail, or the whole of a short payload: one byte at a time.
  for (; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[(i + offset) & 3] ?? 0);
}
