import { describe, expect, it } from 'vitest';
import '@course/classroom/matchers';
import { encodeFrame } from './03-encode-frame.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('3.1/03 encodeFrame', () => {
  it('encodes the RFC 6455 §5.7 unmasked "Hello" text frame', () => {
    expect(encodeFrame(0x1, text('Hello'))).toEqualBytes('81 05 48 65 6c 6c 6f', 'frame');
  });

  it('uses the right length form at the boundaries 0, 125, 126, 127, 65535 and 65536', () => {
    const cases: Array<[number, string]> = [
      [0, '81 00'],
      [125, '81 7d'],
      [126, '81 7e 00 7e'],
      [127, '81 7e 00 7f'],
      [65535, '81 7e ff ff'],
      [65536, '81 7f 00 00 00 00 00 01 00 00'],
    ];
    for (const [length, header] of cases) {
      const frame = encodeFrame(0x1, new Uint8Array(length).fill(0x61));
      const headerBytes = header.split(' ').length;
      expect(frame.subarray(0, headerBytes)).toEqualBytes(header, `header for ${length} bytes`);
      expect(frame.length, `header plus payload for ${length} bytes`).toBe(headerBytes + length);
    }
  });

  it('sets the opcode and clears FIN for the first fragment of a binary message', () => {
    expect(encodeFrame(0x2, Uint8Array.of(1, 2), false)).toEqualBytes('02 02 01 02', 'frame');
  });

  it('encodes a ping with its payload', () => {
    expect(encodeFrame(0x9, text('hi'))).toEqualBytes('89 02 68 69', 'ping frame');
  });

  it('refuses a control frame over 125 bytes with a RangeError', () => {
    expect(() => encodeFrame(0x9, new Uint8Array(126))).toThrowInstanceOf(RangeError);
  });

  it('refuses an opcode above 0xf with a RangeError', () => {
    expect(() => encodeFrame(0x10, new Uint8Array(0))).toThrowInstanceOf(RangeError);
  });
});
