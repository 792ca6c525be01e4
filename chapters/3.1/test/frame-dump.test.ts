import { encodeFrame, Opcode } from '@course/ws-core';
import { describe, expect, it } from 'vitest';
import { dumpFrame, hex } from '../src/frame-dump.ts';

const binary = (length: number) => ({
  fin: true,
  rsv1: false,
  rsv2: false,
  rsv3: false,
  opcode: Opcode.BINARY,
  payload: new Uint8Array(length),
});

describe('dumpFrame', () => {
  it.each([
    [0, '7-bit', 'length field=0'],
    [125, '7-bit', 'length field=125'],
    [126, '16-bit', 'bytes 2–3    00 7e   length = 126'],
    [65_535, '16-bit', 'bytes 2–3    ff ff   length = 65535'],
    [65_536, '64-bit', 'bytes 2–9    00 00 00 00 00 01 00 00   length = 65536'],
  ])('names the %i-byte payload’s length form (%s) and shows its bytes', (length, form, detail) => {
    const text = dumpFrame(encodeFrame(binary(length))).join('\n');
    expect(text).toContain(`${form} length`);
    expect(text).toContain(detail);
  });

  it('splits byte 0 into FIN, RSV and opcode bits, and names the opcode', () => {
    const [byte0] = dumpFrame(encodeFrame({ ...binary(0), opcode: Opcode.PING }));
    expect(byte0).toContain('1 000 1001   FIN=1  RSV1-3=000  opcode=0x9 (ping)');
  });

  it('shows the masking key and unmasks RFC 6455 §5.7’s masked "Hello"', () => {
    // The RFC's example bytes, as a client would send them.
    const frame = Uint8Array.from([
      0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    const text = dumpFrame(frame).join('\n');
    expect(text).toContain('MASK=1  length field=5');
    expect(text).toContain('bytes 2–5    37 fa 21 3d   masking key');
    expect(text).toContain('on the wire  7f 9f 4d 51 58');
    expect(text).toContain(`unmasked     ${hex(Buffer.from('Hello'))}`);
  });

  it('says how many more bytes it needs instead of guessing from a partial header', () => {
    expect(() => dumpFrame(Uint8Array.from([0x81, 0x7e, 0x00]))).toThrow(/need more bytes/);
  });
});
