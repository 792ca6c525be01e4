import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  applyMask,
  decodeFrameHeader,
  encodeFrame,
  MessageTooBigError,
  Opcode,
  ProtocolError,
} from '../src/index.ts';
import { copyMasked } from '../src/mask.ts';
import { frameOf, hex, RFC_MASK } from './helpers.ts';

describe('RFC 6455 §5.7 examples', () => {
  const vectors = [
    {
      name: 'a single-frame unmasked text message',
      bytes: '81 05 48 65 6c 6c 6f',
      fin: true,
      opcode: Opcode.TEXT,
      payload: 'Hello',
    },
    {
      name: 'the first fragment of an unmasked text message',
      bytes: '01 03 48 65 6c',
      fin: false,
      opcode: Opcode.TEXT,
      payload: 'Hel',
    },
    {
      name: 'the last fragment of an unmasked text message',
      bytes: '80 02 6c 6f',
      fin: true,
      opcode: Opcode.CONTINUATION,
      payload: 'lo',
    },
    {
      name: 'an unmasked ping',
      bytes: '89 05 48 65 6c 6c 6f',
      fin: true,
      opcode: Opcode.PING,
      payload: 'Hello',
    },
  ];

  test.each(vectors)('encodes $name', ({ bytes, fin, opcode, payload }) => {
    expect(encodeFrame(frameOf(opcode, payload, { fin })).toString('hex')).toBe(
      hex(bytes).toString('hex'),
    );
  });

  test.each(vectors)('decodes $name', ({ bytes, fin, opcode, payload }) => {
    const header = decodeFrameHeader(hex(bytes));
    expect(header).toMatchObject({
      fin,
      opcode,
      masked: false,
      payloadLength: payload.length,
      headerLength: 2,
    });
  });

  test('encodes a single-frame masked text message', () => {
    const bytes = encodeFrame(frameOf(Opcode.TEXT, 'Hello'), RFC_MASK);
    expect(bytes.toString('hex')).toBe('818537fa213d7f9f4d5158');
  });

  test('decodes and unmasks a single-frame masked text message', () => {
    const bytes = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const header = decodeFrameHeader(bytes);
    expect(header).toMatchObject({
      fin: true,
      opcode: Opcode.TEXT,
      masked: true,
      payloadLength: 5,
      headerLength: 6,
    });
    expect(Buffer.from(header?.mask ?? []).toString('hex')).toBe('37fa213d');
    const payload = Buffer.from(bytes.subarray(6));
    applyMask(payload, header?.mask ?? new Uint8Array(4));
    expect(payload.toString()).toBe('Hello');
  });

  test('encodes a masked pong the way the RFC shows', () => {
    const bytes = encodeFrame(frameOf(Opcode.PONG, 'Hello'), RFC_MASK);
    expect(bytes.toString('hex')).toBe('8a8537fa213d7f9f4d5158');
  });

  test('encodes a 256-byte binary message with a 16-bit length', () => {
    const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(256)));
    expect(bytes.subarray(0, 4).toString('hex')).toBe('827e0100');
    expect(bytes.length).toBe(4 + 256);
  });

  test('encodes a 64 KiB binary message with a 64-bit length', () => {
    const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(65536)));
    expect(bytes.subarray(0, 10).toString('hex')).toBe('827f0000000000010000');
    expect(decodeFrameHeader(bytes)).toMatchObject({
      payloadLength: 65536,
      lengthForm: 64,
      headerLength: 10,
    });
  });
});

describe('length boundaries', () => {
  test.each([
    [0, 7, 2],
    [125, 7, 2],
    [126, 16, 4],
    [127, 16, 4],
    [65535, 16, 4],
    [65536, 64, 10],
    [1024 * 1024, 64, 10],
  ])(
    'a %i-byte payload uses the %i-bit length form and round-trips',
    (size, form, headerLength) => {
      const payload = Buffer.alloc(size, 0xab);
      const masked = encodeFrame(frameOf(Opcode.BINARY, payload), RFC_MASK);
      const header = decodeFrameHeader(masked);
      expect(header).toMatchObject({
        payloadLength: size,
        lengthForm: form,
        headerLength: headerLength + 4,
      });
      const body = Buffer.from(masked.subarray(headerLength + 4));
      applyMask(body, RFC_MASK);
      expect(body.equals(payload)).toBe(true);
    },
  );

  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])(
    'returns undefined until all %i header bytes of a 64-bit masked header are there',
    (cut) => {
      const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(70000)), RFC_MASK);
      expect(decodeFrameHeader(bytes.subarray(0, cut))).toBeUndefined();
      expect(decodeFrameHeader(bytes.subarray(0, 13))).toBeUndefined();
      expect(decodeFrameHeader(bytes.subarray(0, 14))?.payloadLength).toBe(70000);
    },
  );

  test('decodes a header at an offset the same as at the start', () => {
    const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(70000)), RFC_MASK);
    const shifted = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), bytes]);
    const header = decodeFrameHeader(shifted, 3);
    expect(header).toEqual(decodeFrameHeader(bytes));
    expect(Buffer.from(header?.mask ?? []).equals(RFC_MASK)).toBe(true);
    expect(decodeFrameHeader(shifted.subarray(0, 3 + 13), 3)).toBeUndefined();
  });

  test('copies the mask into maskOut when one is given, instead of viewing the input', () => {
    const bytes = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const maskOut = new Uint8Array(4);
    const header = decodeFrameHeader(bytes, 0, maskOut);
    expect(header?.mask).toBe(maskOut);
    bytes.fill(0);
    expect(Buffer.from(maskOut).toString('hex')).toBe('37fa213d');
  });

  test('rejects a 64-bit length with the most significant bit set (1002)', () => {
    const bytes = hex('82 ff 80 00 00 00 00 00 00 01 00 00 00 00');
    expect(() => decodeFrameHeader(bytes)).toThrow(ProtocolError);
    try {
      decodeFrameHeader(bytes);
    } catch (error) {
      expect((error as ProtocolError).closeCode).toBe(1002);
    }
  });

  test('rejects a 64-bit length above 2^53 - 1 as too big (1009)', () => {
    const bytes = hex('82 ff 00 20 00 00 00 00 00 00 00 00 00 00');
    expect(() => decodeFrameHeader(bytes)).toThrow(MessageTooBigError);
  });

  test('accepts a 64-bit length of exactly 2^53 - 1 at the header level', () => {
    const bytes = hex('82 ff 00 1f ff ff ff ff ff ff 00 00 00 00');
    expect(decodeFrameHeader(bytes)?.payloadLength).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('applyMask', () => {
  /** The definition from §5.3, one byte at a time. */
  function naiveMask(payload: Uint8Array, mask: Uint8Array, offset: number): Uint8Array {
    return payload.map((byte, i) => byte ^ (mask[(i + offset) % 4] ?? 0));
  }

  test('matches the byte-by-byte definition at every alignment, length and offset', () => {
    const backing = Buffer.alloc(300);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
    const mask = hex('a1 b2 c3 d4');
    for (let start = 0; start < 4; start++) {
      for (const length of [0, 1, 3, 4, 5, 31, 32, 33, 63, 64, 65, 200]) {
        for (let offset = 0; offset < 4; offset++) {
          const copy = Buffer.from(backing);
          const view = copy.subarray(start, start + length);
          const expected = naiveMask(view, mask, offset);
          applyMask(view, mask, offset);
          expect(Buffer.from(view).equals(Buffer.from(expected))).toBe(true);
        }
      }
    }
  });

  test('copyMasked copies and masks like the definition, short and long, at every alignment', () => {
    const source = Buffer.alloc(300);
    for (let i = 0; i < source.length; i++) source[i] = (i * 13 + 5) & 0xff;
    const mask = hex('0f 1e 2d 3c');
    for (const length of [0, 1, 5, 63, 64, 65, 257]) {
      for (let from = 0; from < 4; from++) {
        for (let to = 0; to < 4; to++) {
          const target = Buffer.alloc(300, 0xee);
          copyMasked(source, from, target, to, length, mask);
          const expected = naiveMask(source.subarray(from, from + length), mask, 0);
          expect(Buffer.from(target.subarray(to, to + length)).equals(Buffer.from(expected))).toBe(
            true,
          );
          expect(target[to + length]).toBe(0xee);
          const plain = Buffer.alloc(300);
          copyMasked(source, from, plain, to, length, undefined);
          expect(plain.subarray(to, to + length).equals(source.subarray(from, from + length))).toBe(
            true,
          );
        }
      }
    }
  });

  test('is its own inverse for random payloads, masks and offsets', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(3),
        (bytes, mask, offset) => {
          const copy = Uint8Array.from(bytes);
          applyMask(copy, mask, offset);
          expect(copy).toEqual(naiveMask(bytes, mask, offset));
          applyMask(copy, mask, offset);
          expect(copy).toEqual(bytes);
        },
      ),
    );
  });
});

describe('random frames', () => {
  const arbitraryFrame = fc.record({
    fin: fc.boolean(),
    rsv1: fc.boolean(),
    rsv2: fc.boolean(),
    rsv3: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Around the 16/64-bit boundary; generating 64 KiB byte by byte would be slow.
      fc.integer({ min: 65530, max: 65600 }).map((size) => Buffer.alloc(size, size & 0xff)),
    ),
  });

  test('decode(encode(frame)) gives back every header field and the payload', () => {
    fc.assert(
      fc.property(
        arbitraryFrame,
        fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 })),
        (frame, mask) => {
          const bytes = encodeFrame(frame, mask ?? undefined);
          const header = decodeFrameHeader(bytes);
          expect(header).toMatchObject({
            fin: frame.fin,
            rsv1: frame.rsv1,
            rsv2: frame.rsv2,
            rsv3: frame.rsv3,
            opcode: frame.opcode,
            masked: mask !== null,
            payloadLength: frame.payload.length,
          });
          const body = Buffer.from(bytes.subarray(header?.headerLength));
          if (header?.mask) applyMask(body, header.mask);
          expect(body.equals(Buffer.from(frame.payload))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
