import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  applyMask,
  applyMaskJs,
  copyMasked,
  copyMaskedJs,
  MASK_KERNEL,
  SIMD_THRESHOLD,
} from '../src/mask.ts';
import { buildXorModule, loadSimdXor, SCRATCH_BYTES, type SimdXor } from '../src/wasm/xor-simd.ts';
import { hex, RFC_MASK } from './helpers.ts';

/** §5.3, one byte at a time: target[i] = source[i] ^ mask[(i + phase) % 4]. */
function referenceMask(source: Uint8Array, mask: Uint8Array, phase: number): Uint8Array {
  return source.map((byte, i) => byte ^ (mask[(i + phase) % 4] ?? 0));
}

/** Deterministic bytes that differ from position to position. */
function pattern(length: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function loadedSimd(): SimdXor {
  const simd = loadSimdXor();
  if (simd === undefined) throw new Error('WebAssembly SIMD did not load on this Node');
  return simd;
}

/** xorInto through a buffer with `sourceStart` spare bytes in front, into a fresh target. */
function simdCopy(
  simd: SimdXor,
  payload: Uint8Array,
  mask: Uint8Array,
  phase: number,
  sourceStart: number,
  targetStart: number,
): Buffer {
  const source = Buffer.alloc(sourceStart + payload.length + 3, 0xaa);
  source.set(payload, sourceStart);
  const target = Buffer.alloc(targetStart + payload.length + 3, 0xee);
  simd.xorInto(source, sourceStart, target, targetStart, payload.length, mask, phase);
  // Nothing before or after the run is touched.
  expect(target.subarray(0, targetStart).every((b) => b === 0xee)).toBe(true);
  expect(target.subarray(targetStart + payload.length).every((b) => b === 0xee)).toBe(true);
  return target.subarray(targetStart, targetStart + payload.length);
}

const LENGTHS_AROUND_LIMITS = [
  SIMD_THRESHOLD - 1,
  SIMD_THRESHOLD,
  SIMD_THRESHOLD + 1,
  SCRATCH_BYTES - 1,
  SCRATCH_BYTES,
  SCRATCH_BYTES + 1,
  2 * SCRATCH_BYTES + 5,
  1 << 20,
  (1 << 20) + 3,
];

describe('the WebAssembly SIMD module', () => {
  test('is byte for byte what wat2wasm makes of xor-simd.wat', () => {
    const expected = hex(`
      00 61 73 6d 01 00 00 00
      01 06 01 60 02 7f 7f 00
      03 02 01 00
      05 04 01 01 01 01
      07 10 02 06 6d 65 6d 6f 72 79 02 00 03 78 6f 72 00 00
      0a 5e 01 5c 02 01 7f 01 7b 20 01 fd 11 21 03 03 40
      20 02 20 02 fd 00 04 00 20 03 fd 51 fd 0b 04 00
      20 02 20 02 fd 00 04 10 20 03 fd 51 fd 0b 04 10
      20 02 20 02 fd 00 04 20 20 03 fd 51 fd 0b 04 20
      20 02 20 02 fd 00 04 30 20 03 fd 51 fd 0b 04 30
      20 02 41 c0 00 6a 22 02 20 00 49 0d 00 0b 0b`);
    expect(Buffer.from(buildXorModule()).equals(expected)).toBe(true);
  });

  test('loads on this Node, so masking long runs uses it', () => {
    expect(loadSimdXor()).toBeDefined();
    expect(MASK_KERNEL).toBe('wasm-simd');
  });

  test('masks the RFC 6455 §5.7 "Hello" with 37 fa 21 3d', () => {
    const out = simdCopy(loadedSimd(), Buffer.from('Hello'), RFC_MASK, 0, 0, 0);
    expect(out.toString('hex')).toBe('7f9f4d5158');
  });

  test('turns zeros into the mask repeated from its phase, across the 64-byte stride', () => {
    const out = simdCopy(loadedSimd(), Buffer.alloc(70), hex('01 02 03 04'), 1, 3, 1);
    expect(out.toString('hex')).toBe(`${'02030401'.repeat(17)}0203`);
  });

  test('matches the byte-by-byte definition at every length 0-300, phase and alignment', () => {
    const simd = loadedSimd();
    const mask = hex('a1 b2 c3 d4');
    for (let length = 0; length <= 300; length++) {
      const payload = pattern(length, length + 1);
      const phase = length & 3;
      const sourceStart = (length * 7) % 17;
      const targetStart = (length * 5) % 19;
      const out = simdCopy(simd, payload, mask, phase, sourceStart, targetStart);
      expect(out.equals(referenceMask(payload, mask, phase))).toBe(true);
    }
  });

  test('matches the definition for random payloads, masks, phases and offsets', () => {
    const simd = loadedSimd();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(7),
        fc.nat(31),
        fc.nat(31),
        (payload, mask, phase, sourceStart, targetStart) => {
          const out = simdCopy(simd, payload, mask, phase, sourceStart, targetStart);
          expect(out.equals(referenceMask(payload, mask, phase))).toBe(true);
        },
      ),
    );
  });

  test.each(LENGTHS_AROUND_LIMITS)('matches the definition on %i bytes, in place too', (length) => {
    const simd = loadedSimd();
    const payload = pattern(length, 7);
    const expected = referenceMask(payload, RFC_MASK, 3);
    expect(simdCopy(simd, payload, RFC_MASK, 3, 1, 2).equals(expected)).toBe(true);
    const inPlace = Buffer.from(payload);
    simd.xorInto(inPlace, 0, inPlace, 0, length, RFC_MASK, 3);
    expect(inPlace.equals(expected)).toBe(true);
  });
});

describe('applyMask and copyMasked', () => {
  test('give what the JavaScript loop gives, below, at and above the SIMD threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * SIMD_THRESHOLD }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(3),
        fc.nat(7),
        (length, mask, offset, start) => {
          const payload = pattern(length + start, length).subarray(start);
          const viaPublic = Buffer.from(payload);
          const viaJs = Buffer.from(payload);
          applyMask(viaPublic, mask, offset);
          applyMaskJs(viaJs, mask, offset);
          expect(viaPublic.equals(viaJs)).toBe(true);
          const copied = Buffer.alloc(length + 5);
          const copiedJs = Buffer.alloc(length + 5);
          copyMasked(payload, 0, copied, 5, length, mask);
          copyMaskedJs(payload, 0, copiedJs, 5, length, mask);
          expect(copied.equals(copiedJs)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test.each(LENGTHS_AROUND_LIMITS)('are their own inverse on %i bytes', (length) => {
    const payload = pattern(length, 3);
    const masked = Buffer.allocUnsafe(length + 1);
    copyMasked(payload, 0, masked, 1, length, RFC_MASK);
    expect(masked.subarray(1).equals(referenceMask(payload, RFC_MASK, 0))).toBe(true);
    applyMask(masked.subarray(1), RFC_MASK);
    expect(masked.subarray(1).equals(payload)).toBe(true);
  });

  test('unmask a frame that arrives in pieces at any cut, phase carried by the offset', () => {
    const payload = pattern(3 * SIMD_THRESHOLD + 3, 9);
    const masked = referenceMask(payload, RFC_MASK, 0);
    for (const cut of [1, 3, SIMD_THRESHOLD - 1, SIMD_THRESHOLD + 2, 2 * SIMD_THRESHOLD + 1]) {
      const first = Buffer.from(masked.subarray(0, cut));
      const second = Buffer.from(masked.subarray(cut));
      applyMask(first, RFC_MASK, 0);
      applyMask(second, RFC_MASK, cut);
      expect(Buffer.concat([first, second]).equals(payload)).toBe(true);
    }
  });
});

describe('the JavaScript fallback', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  test('is chosen when the module does not validate', () => {
    const broken = buildXorModule();
    broken[broken.length - 3] = 0x7f; // br_if $next becomes br_if 127: no such label
    expect(loadSimdXor(broken)).toBeUndefined();
  });

  test('is chosen when there is no WebAssembly at all', () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(loadSimdXor()).toBeUndefined();
  });

  test('is forced by WS_CORE_NO_WASM and masks like the definition at every length', async () => {
    vi.stubEnv('WS_CORE_NO_WASM', '1');
    vi.resetModules();
    const fallback = await import('../src/mask.ts');
    expect(fallback.MASK_KERNEL).toBe('js');
    for (const length of [0, 1, 63, 64, 65, ...LENGTHS_AROUND_LIMITS]) {
      const payload = pattern(length, 5);
      const inPlace = Buffer.from(payload);
      fallback.applyMask(inPlace, RFC_MASK, 1);
      expect(inPlace.equals(referenceMask(payload, RFC_MASK, 1))).toBe(true);
      const copied = Buffer.alloc(length + 2);
      fallback.copyMasked(payload, 0, copied, 2, length, RFC_MASK);
      expect(copied.subarray(2).equals(referenceMask(payload, RFC_MASK, 0))).toBe(true);
    }
  });
});
