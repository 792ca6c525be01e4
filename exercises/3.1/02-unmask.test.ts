import { describe, expect, it } from 'vitest';
import '@course/classroom/matchers';
import { applyMask } from './02-unmask.ts';

const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

describe('3.1/02 applyMask', () => {
  it('unmasks the RFC 6455 §5.7 masked "Hello"', () => {
    const payload = Uint8Array.of(0x7f, 0x9f, 0x4d, 0x51, 0x58);
    applyMask(payload, MASK);
    expect(payload).toEqualBytes('48 65 6c 6c 6f', 'unmasked payload');
  });

  it('restores the original when applied twice', () => {
    const original = Uint8Array.from({ length: 257 }, (_, i) => (i * 7) & 0xff);
    const copy = original.slice();
    applyMask(copy, MASK);
    expect(copy).not.toEqual(original);
    applyMask(copy, MASK);
    expect(copy).toEqualBytes(original, 'payload after masking twice');
  });

  it('gives the same bytes when a payload is unmasked in pieces with offsets', () => {
    const masked = Uint8Array.from({ length: 23 }, (_, i) => (i * 31 + 5) & 0xff);
    const whole = masked.slice();
    applyMask(whole, MASK);
    for (const cut of [1, 2, 3, 5, 7, 22]) {
      const pieces = [masked.slice(0, cut), masked.slice(cut)];
      applyMask(pieces[0] as Uint8Array, MASK, 0);
      applyMask(pieces[1] as Uint8Array, MASK, cut);
      const joined = Uint8Array.from([...(pieces[0] ?? []), ...(pieces[1] ?? [])]);
      expect(joined).toEqualBytes(whole, `payload unmasked in two pieces cut at ${cut}`);
    }
  });

  it('refuses a mask that is not exactly 4 bytes with a RangeError', () => {
    expect(() => applyMask(new Uint8Array(4), Uint8Array.of(1, 2, 3))).toThrowInstanceOf(
      RangeError,
    );
  });
});
