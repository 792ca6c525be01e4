import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '@course/classroom/matchers';
import { fromHex } from '@course/classroom/bytes';
import { FrameError, FrameParser } from './07-frame-parser.ts';

// Three frames back to back: masked "Hello" (RFC 6455 §5.7), an unmasked ping "hi",
// and a masked binary frame of 300 bytes using the 16-bit length form.
const BIG = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
const MASK = Uint8Array.of(1, 2, 3, 4);
const STREAM = Uint8Array.from([
  ...fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
  ...fromHex('89 02 68 69'),
  ...fromHex('82 fe 01 2c 01 02 03 04'),
  ...BIG.map((b, i) => b ^ (MASK[i & 3] ?? 0)),
]);

/** The test's own encoder (masked when a mask is given), so random frames can be generated. */
function encode(opcode: number, payload: Uint8Array, mask?: Uint8Array): Uint8Array {
  const n = payload.length;
  const length =
    n < 126
      ? [n]
      : n < 65536
        ? [126, n >> 8, n & 0xff]
        : [127, 0, 0, 0, 0, 0, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const body = mask ? payload.map((b, i) => b ^ (mask[i & 3] ?? 0)) : payload;
  return Uint8Array.from([
    0x80 | opcode,
    (mask ? 0x80 : 0) | (length[0] ?? 0),
    ...length.slice(1),
    ...(mask ?? []),
    ...body,
  ]);
}

function feed(parser: FrameParser, chunks: Uint8Array[]) {
  return chunks.flatMap((chunk) => parser.push(chunk));
}

function expectThreeFrames(frames: ReturnType<FrameParser['push']>, how: string) {
  expect(frames.length, `frames parsed ${how}`).toBe(3);
  expect(frames[0]).toMatchObject({ fin: true, opcode: 0x1 });
  expect(frames[0]?.payload).toEqualBytes('48 65 6c 6c 6f', `first frame's payload ${how}`);
  expect(frames[1]).toMatchObject({ fin: true, opcode: 0x9 });
  expect(frames[1]?.payload).toEqualBytes('68 69', `ping payload ${how}`);
  expect(frames[2]).toMatchObject({ fin: true, opcode: 0x2 });
  expect(frames[2]?.payload).toEqualBytes(BIG, `binary payload ${how}`);
}

describe('3.1/07 FrameParser', () => {
  it('parses three frames that arrive in one read', () => {
    expectThreeFrames(new FrameParser().push(STREAM), 'from one read');
  });

  it('parses the same frames when the stream is split at every offset', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const frames = feed(new FrameParser(), [STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      expectThreeFrames(frames, `split at ${cut}`);
    }
  });

  it('parses the same frames fed one byte at a time', () => {
    const chunks = Array.from(STREAM, (b) => Uint8Array.of(b));
    expectThreeFrames(feed(new FrameParser(), chunks), 'byte by byte');
  });

  it('returns no frame until a frame is complete', () => {
    const parser = new FrameParser();
    expect(parser.push(STREAM.subarray(0, 10))).toEqual([]);
    expect(parser.push(STREAM.subarray(10, 11)).length).toBe(1);
  });

  it('parses a frame with a 64-bit length', () => {
    const payload = new Uint8Array(70_000).fill(0x78);
    const frame = Uint8Array.from([...fromHex('82 7f 00 00 00 00 00 01 11 70'), ...payload]);
    const frames = new FrameParser().push(frame);
    expect(frames.length).toBe(1);
    expect(frames[0]?.payload.length).toBe(70_000);
  });

  it('fails with 1009 from the header alone when a frame exceeds maxPayload, in every length form', () => {
    // Only headers: the parser must refuse before any payload arrives.
    const headers = {
      '16-bit length 2048': '82 7e 08 00',
      '64-bit length 1 GiB': '82 7f 00 00 00 00 40 00 00 00',
      'masked 16-bit length 1025': '82 fe 04 01 01 02 03 04',
    };
    for (const [what, header] of Object.entries(headers)) {
      let caught: unknown;
      try {
        new FrameParser(1024).push(fromHex(header));
      } catch (error) {
        caught = error;
      }
      expect(caught, `a FrameError for a frame with ${what} (maxPayload 1024)`).toBeInstanceOf(
        FrameError,
      );
      expect((caught as FrameError).closeCode, `close code for ${what}`).toBe(1009);
    }
  });

  it('gives back any random frames, however the stream is cut (fast-check)', () => {
    const frame = fc.record({
      opcode: fc.constantFrom(0x1, 0x2, 0x9),
      payload: fc.uint8Array({ maxLength: 300 }),
      mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (frames, cuts) => {
          const stream = Uint8Array.from(
            frames.flatMap((f) => [...encode(f.opcode, f.payload, f.mask)]),
          );
          const offsets = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks = [0, ...offsets].map((start, i) =>
            stream.subarray(start, [...offsets, stream.length][i]),
          );
          const parsed = feed(new FrameParser(), chunks);
          expect(parsed.map((f) => [f.opcode, Array.from(f.payload)])).toEqual(
            frames.map((f) => [f.opcode, Array.from(f.payload)]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
