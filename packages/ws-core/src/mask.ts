/**
 * §5.3 masking: payload[i] ^= mask[i % 4]. XOR with a 4-byte key is its own inverse, so the
 * same code masks and unmasks.
 *
 * Speed: a byte loop costs one load/xor/store per byte. For longer runs we XOR whole 32-bit
 * words: bytes up to the first 4-aligned address go one at a time, then an Int32Array view
 * covers the aligned middle with the mask rotated to line up, then the tail bytes. The mask
 * word is assembled through a Uint8Array/Int32Array pair over the same 4 bytes, so it is in
 * the machine's byte order and the trick works on either endianness.
 *
 * From SIMD_THRESHOLD bytes on, a WebAssembly SIMD kernel (wasm/xor-simd.ts) XORs 16 bytes
 * per instruction instead. It has to copy the bytes into its own memory and back out, which
 * costs more than it saves on short runs, so it is chosen by length. Where WebAssembly SIMD
 * is missing, or WS_CORE_NO_WASM is set in the environment, every length takes the
 * JavaScript loop.
 */
import { loadSimdXor } from './wasm/xor-simd.ts';

/** Below this many bytes, creating an Int32Array view costs more than it saves. */
const WORD_LOOP_THRESHOLD = 64;

/**
 * From this many bytes on, copying into WebAssembly memory, XORing 16 bytes at a time and
 * copying back out beats the JavaScript loops. `bench/mask-kernels.ts` measures it: the SIMD
 * kernel overtakes the loops between 40 and 64 bytes (copy-and-mask first, in place last) and
 * runs about 1.2x their speed at 64 bytes, 3-4x at 1 KiB and 6-9x at 64 KiB. Below it, the call
 * and the two copies cost more than they save.
 */
export const SIMD_THRESHOLD = 64;

const simd = process.env.WS_CORE_NO_WASM ? undefined : loadSimdXor();

/** Which code masks runs of SIMD_THRESHOLD bytes and more in this process. */
export const MASK_KERNEL: 'wasm-simd' | 'js' = simd === undefined ? 'js' : 'wasm-simd';

const maskWordBytes = new Uint8Array(4);
const maskWord = new Int32Array(maskWordBytes.buffer);

/**
 * XORs `payload` in place with `mask`. `offset` is the position of payload[0] within the
 * whole frame payload, for unmasking a frame that arrives in pieces.
 */
export function applyMask(payload: Uint8Array, mask: Uint8Array, offset = 0): void {
  if (simd !== undefined && payload.length >= SIMD_THRESHOLD) {
    simd.xorInto(payload, 0, payload, 0, payload.length, mask, offset);
  } else {
    xorRange(payload, 0, payload.length, mask, offset);
  }
}

/**
 * Copies `length` bytes from `source[sourceStart..]` to `target[targetStart..]`, masking them
 * with `mask` (from mask phase 0) when one is given. Short runs are copied and masked in one
 * pass; longer ones are copied natively and then masked a word at a time; long ones go
 * through the SIMD kernel, which copies as it masks.
 */
export function copyMasked(
  source: Uint8Array,
  sourceStart: number,
  target: Uint8Array,
  targetStart: number,
  length: number,
  mask: Uint8Array | undefined,
): void {
  if (mask !== undefined && simd !== undefined && length >= SIMD_THRESHOLD) {
    simd.xorInto(source, sourceStart, target, targetStart, length, mask, 0);
    return;
  }
  copyMaskedJs(source, sourceStart, target, targetStart, length, mask);
}

/** applyMask on the JavaScript loops at every length: the fallback, for tests and the bench. */
export function applyMaskJs(payload: Uint8Array, mask: Uint8Array, offset = 0): void {
  xorRange(payload, 0, payload.length, mask, offset);
}

/** copyMasked on the JavaScript loops at every length: the fallback, for tests and the bench. */
export function copyMaskedJs(
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
