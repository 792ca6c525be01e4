import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeFrame, type FrameHeader, FrameParser, Opcode } from '../src/index.ts';
import { bytesAllocatedBy, chunkings, frameOf, heapAndBuffers, hex, RFC_MASK } from './helpers.ts';

interface Parsed {
  opcode: number;
  fin: boolean;
  payload: string;
}

function parse(chunks: Uint8Array[], headers: FrameHeader[] = []): Parsed[] {
  const frames: Parsed[] = [];
  const parser = new FrameParser({
    onHeader: (header) => headers.push(header),
    onFrame: (header, payload) =>
      frames.push({ opcode: header.opcode, fin: header.fin, payload: payload.toString('hex') }),
  });
  // Copies, reused afterwards: the parser must not keep views into our chunks.
  for (const chunk of chunks) {
    const copy = Buffer.from(chunk);
    parser.push(copy);
    copy.fill(0xee);
  }
  return frames;
}

/** A stream mixing every length form, masked and unmasked, control frames in between. */
const stream = Buffer.concat([
  hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), // masked "Hello"
  hex('01 03 48 65 6c'), // "Hel", not final
  hex('89 00'), // empty ping in the middle of the message
  hex('80 02 6c 6f'), // "lo"
  encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(300, 1)), RFC_MASK),
  encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(0))),
]);

describe('FrameParser', () => {
  const expected = parse([stream]);

  test('parses a mixed stream fed whole into the right frames', () => {
    expect(expected.map(({ opcode, fin }) => [opcode, fin])).toEqual([
      [Opcode.TEXT, true],
      [Opcode.TEXT, false],
      [Opcode.PING, true],
      [Opcode.CONTINUATION, true],
      [Opcode.BINARY, true],
      [Opcode.BINARY, true],
    ]);
    expect(Buffer.from(expected[0]?.payload ?? '', 'hex').toString()).toBe('Hello');
    expect(expected[4]?.payload).toBe('01'.repeat(300));
  });

  test('gives the same frames fed whole, split at every offset, and byte by byte', () => {
    for (const { name, chunks } of chunkings(stream)) expect(parse(chunks), name).toEqual(expected);
  });

  test.each([0, 5, 300, 70_000])(
    'leaves the room the sink asks for after a %i-byte payload, however the frame is read',
    (length) => {
      const body = Buffer.from(Array.from({ length }, (_, i) => i & 0xff));
      const bytes = encodeFrame(frameOf(Opcode.BINARY, body), RFC_MASK);
      // Whole, split in two, and in 1 KiB reads (byte by byte would take long at 70 KB).
      const ways = [[bytes], [bytes.subarray(0, 7), bytes.subarray(7)]];
      ways.push(
        Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, i) =>
          bytes.subarray(i * 1024, (i + 1) * 1024),
        ),
      );
      for (const chunks of ways) {
        const payloads: Buffer[] = [];
        const parser = new FrameParser({
          onHeader: () => {},
          payloadRoom: () => 9,
          onFrame: (_, payload) => payloads.push(payload),
        });
        for (const chunk of chunks) parser.push(chunk);
        expect(payloads[0]?.length).toBe(length + 9);
        expect(payloads[0]?.subarray(0, length).equals(body)).toBe(true);
      }
    },
  );

  test('vets each header before any of its payload arrives', () => {
    const headers: FrameHeader[] = [];
    const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(1000)), RFC_MASK);
    parse([bytes.subarray(0, 8)], headers);
    expect(headers).toHaveLength(1);
    expect(headers[0]?.payloadLength).toBe(1000);
  });

  test.each([
    [64 * 1024, 'one buffer allocated up front'],
    [4 * 1024 * 1024, 'a list of pieces'],
  ])('stays linear for a %i-byte frame fed in 1 KiB chunks (%s)', (size) => {
    const payload = Buffer.alloc(size);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i & 0xff;
    const bytes = encodeFrame(frameOf(Opcode.BINARY, payload), RFC_MASK);
    let received: Buffer | undefined;
    const parser = new FrameParser({ onHeader: () => {}, onFrame: (_h, p) => (received = p) });
    const allocated = bytesAllocatedBy(() => {
      for (let at = 0; at < bytes.length; at += 1024) parser.push(bytes.subarray(at, at + 1024));
    });
    expect(received?.equals(payload)).toBe(true);
    // Each byte is copied into a piece and, for a list, once more into the result: at most 2x.
    // Joining the pieces so far at every chunk would allocate about size * chunks / 2.
    expect(allocated).toBeLessThanOrEqual(2 * size + 4096);
  });

  test('commits memory only as payload arrives: 200 headers announcing 1 MiB cost almost nothing', () => {
    // A masked binary header announcing 1,048,576 bytes, then one byte of payload.
    const opening = hex('82 ff 00 00 00 00 00 10 00 00 01 02 03 04 55');
    const parsers = Array.from(
      { length: 200 },
      () => new FrameParser({ onHeader: () => {}, onFrame: () => {} }),
    );
    const before = heapAndBuffers();
    for (const parser of parsers) parser.push(opening);
    // Allocating each announced payload up front, this was 200 MiB for 3 KB of input.
    expect(heapAndBuffers() - before).toBeLessThan(16 * 1024 * 1024);
    expect(parsers.every((parser) => !parser.idle)).toBe(true);
  });

  test('holds memory for the bytes of a large frame trickled in one byte per read', () => {
    // Above the preallocation limit pieces are collected as they come; kept one object per
    // read, a peer sending one byte per TCP segment made each byte cost about a hundred.
    const size = 1024 * 1024 + 1;
    const bytes = encodeFrame(frameOf(Opcode.BINARY, Buffer.alloc(size, 9)), RFC_MASK);
    let received: Buffer | undefined;
    const parser = new FrameParser({ onHeader: () => {}, onFrame: (_h, p) => (received = p) });
    const before = heapAndBuffers();
    const last = bytes.length - 1;
    for (let at = 0; at < last; at++) parser.push(bytes.subarray(at, at + 1));
    const grown = heapAndBuffers() - before;
    parser.push(bytes.subarray(last));
    expect(received?.equals(Buffer.alloc(size, 9))).toBe(true);
    expect(grown).toBeLessThan(size + 4 * 2 ** 20);
  });

  test.each([
    [3000, 'one buffer allocated up front'],
    [64 * 1024 + 10, 'a list of pieces'],
  ])('hands out the unmasked pieces of a %i-byte payload that spans reads (%s)', (size) => {
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = i % 251;
    const bytes = encodeFrame(frameOf(Opcode.BINARY, payload), RFC_MASK);
    const pieces: Buffer[] = [];
    let whole: Buffer | undefined;
    const parser = new FrameParser({
      onHeader: () => {},
      onPayloadPiece: (_header, piece) => pieces.push(Buffer.from(piece)),
      onFrame: (_header, p) => (whole = p),
    });
    for (let at = 0; at < bytes.length; at += 1000) parser.push(bytes.subarray(at, at + 1000));
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).equals(payload)).toBe(true);
    expect(whole?.equals(payload)).toBe(true);
  });

  test('gives the same frames for random frames under random chunkings', () => {
    const arbitraryFrame = fc.record({
      fin: fc.boolean(),
      rsv1: fc.constant(false),
      rsv2: fc.constant(false),
      rsv3: fc.constant(false),
      opcode: fc.constantFrom(0, 1, 2, 8, 9, 10),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 130 }),
        fc.integer({ min: 65530, max: 65540 }).map((n) => Buffer.alloc(n, n & 0xff)),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbitraryFrame, fc.uint8Array({ minLength: 4, maxLength: 4 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(([frame, mask]) => encodeFrame(frame, mask)));
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const size = cuts[i % cuts.length] ?? 1;
            chunks.push(bytes.subarray(at, at + size));
            at += size;
          }
          const parsed = parse(chunks);
          expect(parsed).toEqual(
            frames.map(([frame]) => ({
              opcode: frame.opcode,
              fin: frame.fin,
              payload: Buffer.from(frame.payload).toString('hex'),
            })),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
