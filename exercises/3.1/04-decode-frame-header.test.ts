import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '@course/classroom/matchers';
import { fromHex } from '@course/classroom/bytes';
import { decodeFrameHeader, FrameError } from './04-decode-frame-header.ts';

function expectFrameError(bytes: string, closeCode: number) {
  let caught: unknown;
  try {
    decodeFrameHeader(fromHex(bytes));
  } catch (error) {
    caught = error;
  }
  expect(caught, `decoding ${bytes} should throw a FrameError`).toBeInstanceOf(FrameError);
  expect((caught as FrameError).closeCode, 'close code').toBe(closeCode);
}

describe('3.1/04 decodeFrameHeader', () => {
  it('reads FIN, opcode and a 7-bit length from an unmasked text frame', () => {
    expect(decodeFrameHeader(fromHex('81 05 48 65 6c 6c 6f'))).toMatchObject({
      fin: true,
      opcode: 0x1,
      masked: false,
      payloadLength: 5,
      headerLength: 2,
    });
  });

  it('reads the mask of a masked client frame (RFC 6455 §5.7)', () => {
    const header = decodeFrameHeader(fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(header).toMatchObject({ masked: true, payloadLength: 5, headerLength: 6 });
    expect(header?.mask).toEqualBytes('37 fa 21 3d', 'mask');
  });

  it('reads a 16-bit length after 126', () => {
    expect(decodeFrameHeader(fromHex('82 7e 01 00'))).toMatchObject({
      opcode: 0x2,
      payloadLength: 256,
      headerLength: 4,
    });
  });

  it('reads a 64-bit length after 127 (8 bytes, not 4 as the original chapter says)', () => {
    expect(decodeFrameHeader(fromHex('82 7f 00 00 00 00 00 01 00 00'))).toMatchObject({
      payloadLength: 65536,
      headerLength: 10,
    });
    expect(decodeFrameHeader(fromHex('82 ff 00 00 00 01 00 00 00 00 01 02 03 04'))).toMatchObject({
      payloadLength: 2 ** 32,
      masked: true,
      headerLength: 14,
    });
  });

  it('returns undefined for every incomplete prefix of a header', () => {
    const full = fromHex('81 ff 00 00 00 00 00 01 00 00 01 02 03 04');
    for (let n = 0; n < full.length; n++) {
      expect(decodeFrameHeader(full.subarray(0, n)), `header cut to ${n} bytes`).toBeUndefined();
    }
    expect(decodeFrameHeader(full)).toMatchObject({ payloadLength: 65536, headerLength: 14 });
  });

  it('fails with 1002 when the 64-bit length has its top bit set', () => {
    expectFrameError('82 7f 80 00 00 00 00 00 00 01', 1002);
  });

  it('fails with 1009 when the 64-bit length exceeds 2^53 - 1', () => {
    expectFrameError('82 7f 00 20 00 00 00 00 00 00', 1009);
  });

  it('reads back the length and header size of random headers in all three forms (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.boolean(),
        (length, masked) => {
          const form = length < 126 ? 7 : length < 65536 ? 16 : 64;
          const header = new Uint8Array(
            2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (masked ? 4 : 0),
          );
          const view = new DataView(header.buffer);
          header[0] = 0x82;
          header[1] = (masked ? 0x80 : 0) | (form === 7 ? length : form === 16 ? 126 : 127);
          if (form === 16) view.setUint16(2, length);
          if (form === 64) view.setBigUint64(2, BigInt(length));
          const decoded = decodeFrameHeader(header);
          expect(
            decoded,
            `header ${Array.from(header, (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
          ).toMatchObject({
            payloadLength: length,
            headerLength: header.length,
            masked,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
