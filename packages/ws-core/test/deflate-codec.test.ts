/**
 * The permessage-deflate codec alone (RFC 7692 §7.2): the RFC's example bytes, context takeover
 * across messages, window sizes down to 8 bits, the limits, and round trips against zlib
 * streams as an independent peer.
 */
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MessageTooBigError, type ProtocolError } from '../src/errors.ts';
import {
  DeflateCodec,
  type DeflateCodecSettings,
  deflatePayload,
  MAX_DEFLATE_STREAMS,
  SlidingWindow,
  withDecodeRoom,
} from '../src/extensions/deflate-codec.ts';
import { bytesAllocatedBy, heapAndBuffers, hex } from './helpers.ts';

const MiB = 1024 * 1024;
const TRAILER = hex('00 00 ff ff');

function codec(
  options: {
    sendBits?: number;
    receiveBits?: number;
    sendTakeover?: boolean;
    receiveTakeover?: boolean;
    threshold?: number;
  } = {},
): DeflateCodec {
  const settings: DeflateCodecSettings = {
    header: 'permessage-deflate',
    send: { windowBits: options.sendBits ?? 15, contextTakeover: options.sendTakeover ?? true },
    receive: {
      windowBits: options.receiveBits ?? 15,
      contextTakeover: options.receiveTakeover ?? true,
    },
    threshold: options.threshold ?? 0,
    level: -1,
    memLevel: 8,
  };
  return new DeflateCodec(settings);
}

describe('the examples of RFC 7692 §7.2.3', () => {
  test.each([
    ['7.2.3.1 a message compressed', 'f2 48 cd c9 c9 07 00'],
    ['7.2.3.3 a DEFLATE block with no compression', '00 05 00 fa ff 48 65 6c 6c 6f 00'],
    ['7.2.3.4 a DEFLATE block with BFINAL set to 1', 'f3 48 cd c9 c9 07 00 00'],
    ['7.2.3.5 two DEFLATE blocks in one message', 'f2 48 05 00 00 00 ff ff ca c9 c9 07 00'],
  ])('inflates %s to "Hello"', (_, payload) => {
    expect(
      codec()
        .decode(withDecodeRoom(hex(payload)), 1024)
        .toString(),
    ).toBe('Hello');
  });

  test('7.2.3.6 an empty message, 00 or no bytes at all, inflates to nothing without a zlib call', () => {
    const receiver = codec();
    receiver.decode(withDecodeRoom(hex('f2 48 cd c9 c9 07 00')), 1024);
    for (const payload of ['00', '']) {
      const input = withDecodeRoom(hex(payload));
      let decoded: Buffer | undefined;
      // A zlib call allocates its output chunk: none is made.
      expect(bytesAllocatedBy(() => (decoded = receiver.decode(input, 1024)))).toBe(0);
      expect(decoded?.length).toBe(0);
    }
    // The window is as the first message left it.
    expect(receiver.decode(withDecodeRoom(hex('f2 00 11 00 00')), 1024).toString()).toBe('Hello');
  });

  test('7.2.3.2: the second "Hello" refers back into the first (context takeover)', () => {
    const receiver = codec();
    expect(receiver.decode(withDecodeRoom(hex('f2 48 cd c9 c9 07 00')), 1024).toString()).toBe(
      'Hello',
    );
    expect(receiver.decode(withDecodeRoom(hex('f2 00 11 00 00')), 1024).toString()).toBe('Hello');
  });

  test('7.2.3.2 without takeover the back-reference has nothing to refer to: 1007', () => {
    const receiver = codec({ receiveTakeover: false });
    receiver.decode(withDecodeRoom(hex('f2 48 cd c9 c9 07 00')), 1024);
    expect(() => receiver.decode(withDecodeRoom(hex('f2 00 11 00 00')), 1024)).toThrow(
      expect.objectContaining({ closeCode: 1007, code: 'WS_ERR_INVALID_DEFLATE_DATA' }),
    );
  });

  test('compresses "Hello" to the RFC bytes, and with "Hello" in the window to a back-reference', () => {
    const options = { windowBits: 15, level: -1, memLevel: 8 };
    const hello = Buffer.from('Hello');
    expect(deflatePayload(hello, undefined, options).toString('hex')).toBe('f248cdc9c90700');
    expect(deflatePayload(hello, hello, options).toString('hex')).toBe('f200110000');
  });

  test('takes over context across messages, or not', () => {
    const message = Buffer.from('{"type":"move","x":10,"y":20}'.repeat(8));
    const sender = codec();
    const first = sender.encode(message) as Buffer;
    const second = sender.encode(message) as Buffer;
    expect(second.length).toBeLessThan(first.length / 4); // one back-reference into the first
    const forgetful = codec({ sendTakeover: false });
    forgetful.encode(message);
    expect(forgetful.encode(message)?.equals(first)).toBe(true);
  });
});

describe('blocks after a final block, and messages cut short (RFC 7692 §7.2.1)', () => {
  const finished = (text: string, dictionary?: Buffer) =>
    deflateRawSync(Buffer.from(text), {
      finishFlush: constants.Z_FINISH,
      ...(dictionary ? { dictionary } : {}),
    });
  const flushed = (text: string, dictionary?: Buffer) =>
    deflatePayload(Buffer.from(text), dictionary, { windowBits: 15, level: -1, memLevel: 8 });

  test('inflates the blocks that follow a block with BFINAL set: "Hello" then "World"', () => {
    const receiver = codec();
    expect(
      receiver
        .decode(withDecodeRoom(hex('f3 48 cd c9 c9 07 00 0a cf 2f ca 49 01 00')), 1024)
        .toString(),
    ).toBe('HelloWorld');
    // The window holds both parts: the next message refers back into "World".
    const next = flushed('World', Buffer.from('HelloWorld'));
    expect(receiver.decode(withDecodeRoom(next), 1024).toString()).toBe('World');
  });

  test('lets the blocks after a final block refer back into what the message inflated before it', () => {
    const payload = Buffer.concat([
      finished('Hello, '),
      flushed('Hello, World', Buffer.from('Hello, ')),
    ]);
    expect(codec({ receiveTakeover: false }).decode(withDecodeRoom(payload), 1024).toString()).toBe(
      'Hello, Hello, World',
    );
  });

  test('inflates a message that ends with its final block, without the empty block after it', () => {
    expect(
      codec()
        .decode(withDecodeRoom(finished('Hello')), 1024)
        .toString(),
    ).toBe('Hello');
  });

  test.each([
    ['bytes that are not DEFLATE after a final block', 'f3 48 cd c9 c9 07 00 ff ff ff ff'],
    ['a message cut inside a block (the first 3 bytes of "Hello")', 'f2 48 cd'],
    ['a stored block cut short', '00 05 00 fa ff 48 65'],
  ])('fails with 1007 on %s', (_, payload) => {
    expect(() => codec().decode(withDecodeRoom(hex(payload)), 1024)).toThrow(
      expect.objectContaining({ closeCode: 1007, code: 'WS_ERR_INVALID_DEFLATE_DATA' }),
    );
  });

  test('fails with 1007 on a message cut anywhere inside its blocks', () => {
    const text = 'The quick brown fox jumps over the lazy dog, again and again. '.repeat(20);
    const whole = flushed(text);
    expect(codec().decode(withDecodeRoom(whole), MiB).toString()).toBe(text);
    for (let cut = 1; cut < whole.length; cut++) {
      expect(
        () => codec().decode(withDecodeRoom(whole.subarray(0, cut)), MiB),
        `cut at ${cut}`,
      ).toThrow(expect.objectContaining({ closeCode: 1007 }));
    }
  });

  test('counts every part of the message against maxPayload', () => {
    const payload = Buffer.concat([finished('a'.repeat(600)), flushed('b'.repeat(600))]);
    expect(codec().decode(withDecodeRoom(payload), 1200).toString()).toBe(
      `${'a'.repeat(600)}${'b'.repeat(600)}`,
    );
    expect(() => codec().decode(withDecodeRoom(payload), 1199)).toThrow(
      expect.objectContaining({ closeCode: 1009, code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
    );
  });

  test('fails with 1009 on a message of more than MAX_DEFLATE_STREAMS streams (empty final blocks)', () => {
    // 03 00 is an empty block with BFINAL set: each one ends a stream, and the next starts
    // another, inflated by a zlib call of its own.
    const blocks = (count: number) =>
      Buffer.concat(Array.from({ length: count }, () => hex('03 00')));
    expect(codec().decode(withDecodeRoom(blocks(MAX_DEFLATE_STREAMS)), 1024).length).toBe(0);
    for (const count of [MAX_DEFLATE_STREAMS + 1, 100_000]) {
      expect(() => codec().decode(withDecodeRoom(blocks(count)), MiB)).toThrow(
        expect.objectContaining({ closeCode: 1009, code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
      );
    }
  });
});

describe('what goes out compressed', () => {
  test('sends a message under the threshold as it is, and one at the threshold compressed', () => {
    const sender = codec({ threshold: 1024 });
    expect(sender.encode(Buffer.alloc(1023, 'a'))).toBeUndefined();
    expect(sender.encode(Buffer.alloc(1024, 'a'))?.length).toBeLessThan(20);
  });

  test('sends incompressible bytes as they are, and leaves them out of its window', () => {
    const sender = codec();
    const receiver = codec();
    const noise = Buffer.from(
      Array.from({ length: 200 }, (_, i) => (i * 167 + (i >> 3) * 91) & 0xff),
    );
    const text = Buffer.from('hello hello hello hello hello');
    const first = sender.encode(text) as Buffer;
    expect(sender.encode(noise)).toBeUndefined(); // 200 bytes that would not shrink
    expect(sender.encode(Buffer.from('Hello'))).toBeUndefined(); // 7 bytes compressed
    const fourth = sender.encode(text) as Buffer;
    // The peer never inflated the noise: its window is the text, and so is ours.
    expect(receiver.decode(withDecodeRoom(first), 1024).equals(text)).toBe(true);
    expect(receiver.decode(withDecodeRoom(fourth), 1024).equals(text)).toBe(true);
    expect(fourth.length).toBeLessThan(8);
  });
});

describe('window sizes', () => {
  /** Random letters from 16 that repeat every `period` bytes: compressible only by the repeat. */
  function periodic(period: number, length: number): Buffer {
    let seed = period;
    const unit = Array.from({ length: period }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return 97 + ((seed >> 16) & 15);
    });
    return Buffer.from(Array.from({ length }, (_, i) => unit[i % period] as number));
  }

  test('zlib asked for 9 bits never refers back more than 250 bytes: an 8-bit agreement holds', () => {
    // A receiver that agreed to 8 bits keeps only the last 256 bytes of the earlier messages.
    for (let period = 200; period <= 400; period += 10) {
      const stream = periodic(period, 3 * period);
      const [first, second] = [stream.subarray(0, 2 * period), stream.subarray(2 * period)];
      const sender = codec({ sendBits: 8 });
      sender.encode(first);
      const compressed = sender.encode(second) ?? second;
      const inflated = inflateRawSync(Buffer.concat([compressed, TRAILER]), {
        windowBits: 8,
        dictionary: first.subarray(-256),
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      expect(inflated.equals(second)).toBe(true);
    }
    // With 15 bits, the repeat 300 bytes back is used, and a 256-byte window cannot follow it.
    const stream = periodic(300, 900);
    const wide = deflateRawSync(stream.subarray(600), {
      dictionary: stream.subarray(0, 600),
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(() =>
      inflateRawSync(wide, {
        windowBits: 8,
        dictionary: stream.subarray(344, 600),
        finishFlush: constants.Z_SYNC_FLUSH,
      }),
    ).toThrow(/invalid distance too far back/);
  });

  test('fails with 1007 on a back-reference into an earlier message beyond the agreed window', () => {
    // 2 KiB of noise, then a message repeating its start: a distance of about 2 KiB, 11 bits.
    const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + (i >> 5)) & 0xff));
    const repeat = noise.subarray(0, 200);
    const sender = new StreamPeer({ send: 15, receive: 15 }, { send: true, receive: true });
    return (async () => {
      const first = await sender.compress(noise);
      const second = await sender.compress(repeat);
      sender.close();
      const wide = codec({ receiveBits: 11 });
      wide.decode(withDecodeRoom(first), MiB);
      expect(wide.decode(withDecodeRoom(second), MiB).equals(repeat)).toBe(true);
      const narrow = codec({ receiveBits: 10 }); // keeps the last 1 KiB only
      narrow.decode(withDecodeRoom(first), MiB);
      expect(() => narrow.decode(withDecodeRoom(second), MiB)).toThrow(
        expect.objectContaining({ closeCode: 1007, code: 'WS_ERR_INVALID_DEFLATE_DATA' }),
      );
    })();
  });

  /** Bytes that do not repeat within a few windows, from a seed. */
  function noise(length: number, seed: number): Buffer {
    let state = seed;
    return Buffer.from(
      Array.from({ length }, () => {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        return state >> 16;
      }),
    );
  }

  /**
   * Messages of assorted sizes, more than a 2^bits window together: hex digits, which compress
   * (4 bits a byte) without repeating, so a repeat of them can only refer to where they were.
   */
  function history(bits: number): Buffer[] {
    const size = 1 << bits;
    return [size / 4, size + 5, 7, size / 2 + 1].map((length, i) =>
      Buffer.from(
        noise(length, bits * 10 + i)
          .toString('hex')
          .slice(0, length),
      ),
    );
  }

  /**
   * One fixed-Huffman DEFLATE block (RFC 1951 §3.2.6) holding a single match, 258 bytes copied
   * from `distance` back, then the empty stored block of a sync flush, less its 00 00 ff ff: a
   * message that is nothing but a back-reference into the window.
   */
  function backReference(distance: number): Buffer {
    const bits: number[] = [];
    const value = (v: number, count: number) => {
      for (let i = 0; i < count; i++) bits.push((v >> i) & 1); // extra bits: LSB first
    };
    const code = (v: number, count: number) => {
      for (let i = count - 1; i >= 0; i--) bits.push((v >> i) & 1); // Huffman codes: MSB first
    };
    value(0, 1); // BFINAL 0
    value(1, 2); // BTYPE 01: fixed Huffman codes
    code(0b11000101, 8); // length code 285: 258 bytes
    const bases = [
      1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
      2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const distanceCode = bases.findLastIndex((base) => base <= distance);
    code(distanceCode, 5);
    value(distance - (bases[distanceCode] as number), Math.max(0, (distanceCode >> 1) - 1));
    code(0, 7); // end of block (256)
    value(0, 3); // the sync flush's empty stored block: BFINAL 0, BTYPE 00, then padding
    const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
    bits.forEach((bit, i) => {
      bytes[i >> 3] = (bytes[i >> 3] as number) | (bit << (i & 7));
    });
    return bytes;
  }

  test.each([8, 9, 10, 11, 12, 13, 14, 15])(
    'inflates a back-reference to the oldest byte of a 2^%i-byte window kept across messages, and refuses one a byte further (1007)',
    (bits) => {
      const size = 1 << bits;
      const receiver = codec({ receiveBits: bits });
      const messages = history(bits);
      for (const message of messages) {
        const compressed = deflatePayload(message, undefined, {
          windowBits: 15,
          level: 1,
          memLevel: 8,
        });
        expect(receiver.decode(withDecodeRoom(compressed), MiB).equals(message)).toBe(true);
      }
      if (size < 32 * 1024) {
        expect(() => receiver.decode(withDecodeRoom(backReference(size + 1)), MiB)).toThrow(
          expect.objectContaining({ closeCode: 1007, code: 'WS_ERR_INVALID_DEFLATE_DATA' }),
        );
      }
      // The oldest byte of the window is the 2^bits-th last of everything inflated.
      const all = Buffer.concat(messages);
      const copied = Buffer.alloc(258);
      for (let i = 0; i < 258; i++) {
        copied[i] =
          i < size ? (all[all.length - size + i] as number) : (copied[i - size] as number);
      }
      expect(receiver.decode(withDecodeRoom(backReference(size)), MiB).equals(copied)).toBe(true);
      expect(receiver.heldBytes).toBe(size); // the window, and nothing for the unused send side
    },
  );

  test.each([9, 10, 11, 12, 13, 14, 15])(
    'compresses against the last 2^%i bytes it sent, and never further back',
    (bits) => {
      const size = 1 << bits;
      const sender = codec({ sendBits: bits });
      // What went out compressed is the window; what did not shrink went as it was.
      const sent = Buffer.concat(history(bits).filter((message) => sender.encode(message)));
      // A repeat of 200 bytes from near the far end of the window (zlib reaches 262 bytes short
      // of it): one back-reference, if the window holds the right bytes.
      const far = sent.subarray(sent.length - size + 300, sent.length - size + 500);
      const compressed = sender.encode(far) as Buffer;
      expect(compressed.length).toBeLessThan(20);
      // A receiver that keeps exactly the last 2^bits bytes inflates it.
      const inflated = inflateRawSync(Buffer.concat([compressed, TRAILER]), {
        windowBits: bits,
        dictionary: sent.subarray(-size),
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      expect(inflated.equals(far)).toBe(true);
    },
  );

  test('keeps no window at all without context takeover', () => {
    const sender = codec({ sendTakeover: false, receiveTakeover: false });
    const message = Buffer.alloc(4096, 'x');
    sender.decode(withDecodeRoom(sender.encode(message) as Buffer), MiB);
    expect(sender.heldBytes).toBe(0);
  });

  test('the sliding window holds the last bytes of everything appended, oldest first', () => {
    const window = new SlidingWindow(8);
    expect(window.contents).toBeUndefined();
    window.append(Buffer.from('abc'));
    window.append(Buffer.from('defg'));
    expect(window.contents?.toString()).toBe('abcdefg');
    window.append(Buffer.from('hij'));
    expect(window.contents?.toString()).toBe('cdefghij');
    window.append(Buffer.from('0123456789'));
    expect(window.contents?.toString()).toBe('23456789');
    window.append(Buffer.alloc(0));
    expect(window.contents?.toString()).toBe('23456789');
  });
});

describe('limits', () => {
  test('inflates exactly maxPayload bytes, and fails with 1009 at one more', () => {
    const message = Buffer.alloc(100_000, 'a');
    const compressed = codec().encode(message) as Buffer;
    expect(codec().decode(withDecodeRoom(compressed), 100_000).length).toBe(100_000);
    expect(() => codec().decode(withDecodeRoom(compressed), 99_999)).toThrow(MessageTooBigError);
    expect(() => codec().decode(withDecodeRoom(compressed), 99_999)).toThrow(
      expect.objectContaining({ closeCode: 1009, code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
    );
  });

  test('stops a 64 MiB zip bomb at maxPayload: 1009, about 1 MiB inflated, no 64 MiB held', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * MiB), {
      finishFlush: constants.Z_SYNC_FLUSH,
    }).subarray(0, -4);
    expect(bomb.length).toBeLessThan(70 * 1024); // a small frame's worth
    const receiver = codec();
    let thrown: unknown;
    const before = heapAndBuffers();
    // zlib's output chunks come from Buffer.allocUnsafe: counting them counts what it inflated.
    const allocated = bytesAllocatedBy(() => {
      try {
        receiver.decode(withDecodeRoom(bomb), MiB);
      } catch (error) {
        thrown = error;
      }
    });
    const held = heapAndBuffers() - before;
    expect(thrown).toBeInstanceOf(MessageTooBigError);
    expect((thrown as ProtocolError).closeCode).toBe(1009);
    // maxPayload plus one 16 KiB chunk and the input's copy — nowhere near 64 MiB.
    expect(allocated).toBeGreaterThan(MiB);
    expect(allocated).toBeLessThan(MiB + 256 * 1024);
    expect(held).toBeLessThan(4 * MiB);
  });

  test('fails with 1007 on bytes that are not DEFLATE', () => {
    // BTYPE 11 is reserved (RFC 1951 §3.2.3).
    expect(() => codec().decode(withDecodeRoom(hex('ff ff ff ff')), 1024)).toThrow(
      expect.objectContaining({ closeCode: 1007, code: 'WS_ERR_INVALID_DEFLATE_DATA' }),
    );
  });

  test('gives a small message a buffer of its own, not a view of a 16 KiB chunk', () => {
    const decoded = codec().decode(withDecodeRoom(hex('f2 48 cd c9 c9 07 00')), 1024);
    expect(decoded.buffer.byteLength).toBe(5);
  });
});

/** A zlib stream per direction, flushed per message: how stream-based peers (`ws`) do it. */
class StreamPeer {
  private readonly deflate;
  private readonly inflate;
  constructor(
    bits: { send: number; receive: number },
    private readonly takeover: { send: boolean; receive: boolean },
  ) {
    // Node compresses with 9 bits when asked for 8, as `ws` lets it.
    this.deflate = createDeflateRaw({ windowBits: bits.send });
    this.inflate = createInflateRaw({ windowBits: bits.receive });
  }

  async compress(message: Buffer): Promise<Buffer> {
    const out = await this.run(this.deflate, message, constants.Z_SYNC_FLUSH);
    if (!this.takeover.send) this.deflate.reset();
    return out.subarray(0, -4);
  }

  async decompress(payload: Buffer): Promise<Buffer> {
    const out = await this.run(
      this.inflate,
      Buffer.concat([payload, TRAILER]),
      constants.Z_SYNC_FLUSH,
    );
    if (!this.takeover.receive) this.inflate.reset();
    return out;
  }

  private run(
    stream: ReturnType<typeof createDeflateRaw> | ReturnType<typeof createInflateRaw>,
    input: Buffer,
    flush: number,
  ): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    stream.on('data', onData);
    stream.write(input);
    return new Promise((resolve) =>
      stream.flush(flush, () => {
        stream.off('data', onData);
        resolve(Buffer.concat(chunks));
      }),
    );
  }

  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}

describe('round trips with a zlib stream as the peer', () => {
  const messageArb = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
    // Compressible text with repeats near and far, so takeover matters.
    fc
      .array(fc.constantFrom('{"player":', '"move",', '[1,2,3]', 'hello ', '€', '\n'), {
        maxLength: 400,
      })
      .map((words) => Buffer.from(words.join(''))),
  );

  test('both ways, for any messages, window bits 8–15 and takeover on or off', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(messageArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 8, max: 15 }),
        fc.integer({ min: 8, max: 15 }),
        fc.boolean(),
        fc.boolean(),
        async (messages, ourBits, theirBits, ourTakeover, theirTakeover) => {
          const ours = codec({
            sendBits: ourBits,
            receiveBits: theirBits,
            sendTakeover: ourTakeover,
            receiveTakeover: theirTakeover,
          });
          const peer = new StreamPeer(
            { send: theirBits, receive: ourBits },
            { send: theirTakeover, receive: ourTakeover },
          );
          try {
            for (const message of messages) {
              // Ours → the stream: what we did not compress, the peer does not inflate.
              const sent = ours.encode(message);
              if (sent !== undefined)
                expect((await peer.decompress(sent)).equals(message)).toBe(true);
              // The stream → ours.
              const received = await peer.compress(message);
              expect(ours.decode(withDecodeRoom(received), MiB).equals(message)).toBe(true);
            }
          } finally {
            peer.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
