/**
 * permessage-deflate through the Protocol (RFC 7692 §6–7.2): the RFC's frames fed whole, split
 * at every offset and byte by byte; the RSV1 rules; limits on compressed and inflated bytes;
 * what goes out compressed; and round trips between a negotiated client and server under any
 * chunking and settings.
 */
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DeflateCodec } from '../src/extensions/deflate-codec.ts';
import {
  acceptDeflateResponse,
  formatDeflateOffer,
  negotiateDeflate,
  type PerMessageDeflateOptions,
  resolveDeflateOptions,
} from '../src/extensions/permessage-deflate.ts';
import {
  DEFAULT_MAX_INFLATED_PAYLOAD,
  DEFAULT_MAX_PAYLOAD,
  decodeFrameHeader,
  encodeFrame,
  Opcode,
  Protocol,
  type ProtocolEvent,
} from '../src/index.ts';
import {
  bytesAllocatedBy,
  chunkings,
  clientFrame,
  frameOf,
  framesIn,
  heapAndBuffers,
  hex,
  sentClose,
} from './helpers.ts';

const MiB = 1024 * 1024;

/** A client and a server Protocol that negotiated permessage-deflate as the handshake would. */
function negotiated(
  server: PerMessageDeflateOptions = {},
  client: PerMessageDeflateOptions = {},
  maxPayload?: number,
) {
  const clientConfig = resolveDeflateOptions(client);
  const serverConfig = resolveDeflateOptions(server);
  if (!clientConfig || !serverConfig) throw new Error('compression is on in both');
  const serverCodec = negotiateDeflate(formatDeflateOffer(clientConfig), serverConfig);
  if (!serverCodec) throw new Error('the offer was declined');
  const clientCodec = acceptDeflateResponse(serverCodec.header, clientConfig);
  return {
    server: new Protocol({ role: 'server', extension: serverCodec, maxPayload }),
    client: new Protocol({ role: 'client', extension: clientCodec, maxPayload }),
  };
}

/** A Protocol whose extension inflates with a 15-bit window and takes over context. */
function withDeflate(role: 'server' | 'client', maxPayload?: number): Protocol {
  const direction = { windowBits: 15, contextTakeover: true };
  const extension = new DeflateCodec({
    header: 'permessage-deflate',
    send: direction,
    receive: direction,
    threshold: 1024,
    level: -1,
    memLevel: 8,
  });
  return new Protocol({ role, extension, maxPayload });
}

/** A server's frame (unmasked) carrying `bytes` compressed as §7.2.1 says, RSV1 set. */
function compressedFrame(opcode: number, bytes: Uint8Array): Buffer {
  const payload = deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  return encodeFrame({ fin: true, rsv1: true, rsv2: false, rsv3: false, opcode, payload });
}

function receive(protocol: Protocol, chunks: Uint8Array[]): ProtocolEvent[] {
  const events: ProtocolEvent[] = [];
  for (const chunk of chunks) {
    protocol.receiveData(Buffer.from(chunk));
    events.push(...protocol.eventsReceived());
  }
  return events;
}

function expectFailure(protocol: Protocol, closeCode: number, code: string) {
  expect(protocol.failure).toMatchObject({ closeCode, code });
  expect(sentClose(protocol)?.code).toBe(closeCode);
}

describe('the frames of RFC 7692 §7.2.3, whole, split at every offset and byte by byte', () => {
  test.each([
    ['7.2.3.1 a compressed message', 'c1 07 f2 48 cd c9 c9 07 00', ['Hello']],
    ['7.2.3.1 the same, fragmented', '41 03 f2 48 cd 80 04 c9 c9 07 00', ['Hello']],
    [
      '7.2.3.2 two messages sharing the LZ77 window',
      'c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00',
      ['Hello', 'Hello'],
    ],
    ['7.2.3.3 a block with no compression', 'c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00', ['Hello']],
    ['7.2.3.4 a block with BFINAL set', 'c1 08 f3 48 cd c9 c9 07 00 00', ['Hello']],
    [
      '7.2.3.5 two blocks in one message',
      'c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00',
      ['Hello'],
    ],
    ['7.2.3.6 an empty message', 'c1 01 00 c2 00', ['', 'binary']],
    [
      '7.2.1 blocks after a block with BFINAL set ("Hello", then "World")',
      'c1 0e f3 48 cd c9 c9 07 00 0a cf 2f ca 49 01 00',
      ['HelloWorld'],
    ],
    [
      'a compressed message between a ping and an uncompressed one',
      '89 00 c1 07 f2 48 cd c9 c9 07 00 81 02 68 69',
      ['ping', 'Hello', 'hi'],
    ],
  ])('%s', (_, bytes, expected) => {
    for (const { name, chunks } of chunkings(hex(bytes))) {
      const events = receive(withDeflate('client'), chunks);
      const seen = events.map((event) => (event.type === 'text' ? event.data : event.type));
      expect(seen, name).toEqual(expected);
    }
  });

  test.each([
    [
      'bytes that are not DEFLATE after a block with BFINAL set',
      'c1 0b f3 48 cd c9 c9 07 00 ff ff ff ff',
    ],
    ['a message cut inside a block (the first 3 bytes of "Hello")', 'c1 03 f2 48 cd'],
  ])('fails with 1007 on %s, however it is read', (_, bytes) => {
    for (const { name, chunks } of chunkings(hex(bytes))) {
      const protocol = withDeflate('client');
      expect(receive(protocol, chunks), name).toEqual([]);
      expectFailure(protocol, 1007, 'WS_ERR_INVALID_DEFLATE_DATA');
    }
  });

  test('a server reads the same message masked, as a client sends it', () => {
    const frame = clientFrame(Opcode.TEXT, hex('f2 48 cd c9 c9 07 00'), { rsv1: true });
    for (const { name, chunks } of chunkings(frame)) {
      expect(receive(withDeflate('server'), chunks), name).toEqual([
        { type: 'text', data: 'Hello' },
      ]);
    }
  });

  test('a compressed binary message arrives as binary', () => {
    const events = receive(withDeflate('client'), [hex('c2 07 f2 48 cd c9 c9 07 00')]);
    expect(events).toEqual([{ type: 'binary', data: Buffer.from('Hello') }]);
  });
});

describe('the RSV1 rules (RFC 7692 §6.1)', () => {
  test('fails with 1002 on RSV1 on a continuation frame', () => {
    const protocol = withDeflate('client');
    receive(protocol, [hex('41 03 f2 48 cd c0 04 c9 c9 07 00')]);
    expectFailure(protocol, 1002, 'WS_ERR_UNEXPECTED_RSV_1');
    expect(protocol.failure?.message).toBe('rsv1 set on a continuation frame');
  });

  test.each([
    ['ping', 'c9 00'],
    ['pong', 'ca 00'],
    ['close', 'c8 02 03 e8'],
  ])('fails with 1002 on RSV1 on a %s frame', (_, bytes) => {
    const protocol = withDeflate('client');
    receive(protocol, [hex(bytes)]);
    expectFailure(protocol, 1002, 'WS_ERR_UNEXPECTED_RSV_1');
    expect(protocol.failure?.message).toBe('rsv1 set on a control frame');
  });

  test('fails with 1002 on RSV1 when no extension was negotiated', () => {
    const protocol = new Protocol({ role: 'client' });
    receive(protocol, [hex('c1 07 f2 48 cd c9 c9 07 00')]);
    expectFailure(protocol, 1002, 'WS_ERR_UNEXPECTED_RSV_1');
    expect(protocol.failure?.message).toBe('reserved bits set but no extension was negotiated');
  });

  test('still fails with 1002 on RSV2 or RSV3: permessage-deflate gives them no meaning', () => {
    for (const firstByte of ['a1', '91']) {
      const protocol = withDeflate('client');
      receive(protocol, [hex(`${firstByte} 02 68 69`)]);
      expectFailure(protocol, 1002, 'WS_ERR_UNEXPECTED_RSV_2_3');
    }
  });
});

describe('limits and validity, after inflation', () => {
  test('fails with 1007 when the inflated text is not UTF-8', () => {
    const protocol = withDeflate('client');
    receive(protocol, [compressedFrame(Opcode.TEXT, hex('48 65 ff 6c'))]);
    expectFailure(protocol, 1007, 'WS_ERR_INVALID_UTF8');
  });

  test('fails with 1007 on a payload that does not inflate', () => {
    const protocol = withDeflate('client');
    receive(protocol, [hex('c1 04 ff ff ff ff')]);
    expectFailure(protocol, 1007, 'WS_ERR_INVALID_DEFLATE_DATA');
  });

  test('counts inflated bytes against maxPayload: 1009 for a small frame that inflates too far', () => {
    const frame = compressedFrame(Opcode.TEXT, Buffer.alloc(2000, 'a'));
    expect(receive(withDeflate('client', 2000), [frame])).toEqual([
      { type: 'text', data: 'a'.repeat(2000) },
    ]);
    const small = withDeflate('client', 1999);
    receive(small, [frame]);
    expectFailure(small, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
  });

  test('stops a 64 MiB zip bomb at maxPayload (1 MiB): 1009, without allocating the 64 MiB', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * MiB), {
      finishFlush: constants.Z_SYNC_FLUSH,
    }).subarray(0, -4);
    const frame = clientFrame(Opcode.BINARY, bomb, { rsv1: true });
    const protocol = withDeflate('server', MiB);
    const before = heapAndBuffers();
    const allocated = bytesAllocatedBy(() => receive(protocol, [frame]));
    const held = heapAndBuffers() - before;
    expectFailure(protocol, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(protocol.failure?.message).toBe('compressed message inflates past maxPayload 1048576');
    // The frame's copy (~64 KiB), then 1 MiB of output and one chunk: stopped there.
    expect(allocated).toBeLessThan(MiB + 512 * 1024);
    expect(held).toBeLessThan(4 * MiB);
  });

  test('without maxPayload, holds a compressed message to DEFAULT_MAX_INFLATED_PAYLOAD (4 MiB) inflated, and an uncompressed one to DEFAULT_MAX_PAYLOAD', () => {
    expect(DEFAULT_MAX_INFLATED_PAYLOAD).toBe(4 * MiB);
    const limit = DEFAULT_MAX_INFLATED_PAYLOAD;
    expect(
      receive(withDeflate('client'), [compressedFrame(Opcode.BINARY, Buffer.alloc(limit))]),
    ).toHaveLength(1);
    const over = withDeflate('client');
    receive(over, [compressedFrame(Opcode.BINARY, Buffer.alloc(limit + 1))]);
    expectFailure(over, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(over.failure?.message).toBe(`compressed message inflates past maxPayload ${limit}`);
    // The same bytes uncompressed are held to the 64 MiB of maxPayload's default.
    const plain = hex('82 7f 00 00 00 00 00 40 00 01'); // a header announcing 4 MiB + 1
    const uncompressed = withDeflate('client');
    receive(uncompressed, [plain, Buffer.alloc(limit + 1)]);
    expect(uncompressed.failure).toBeUndefined();
    expect(uncompressed.maxPayload).toBe(DEFAULT_MAX_PAYLOAD);
    // A maxPayload that is set holds both.
    const set = withDeflate('client', 8 * MiB);
    expect(set.maxInflatedPayload).toBe(8 * MiB);
    expect(receive(set, [compressedFrame(Opcode.BINARY, Buffer.alloc(limit + 1))])).toHaveLength(1);
  });

  test('judges the compressed length from the header, before buffering: 1009', () => {
    // 1 MiB announced for a 64 KiB maxPayload: far more than 64 KiB can compress to.
    const protocol = withDeflate('client', 64 * 1024);
    receive(protocol, [hex('c2 7f 00 00 00 00 00 10 00 00')]);
    expectFailure(protocol, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(protocol.failure?.message).toBe(
      'compressed message of 1048576 bytes exceeds maxPayload 65536 (at most 69648 compressed bytes in 1 frame)',
    );
  });

  test('takes a message of maxPayload bytes that does not compress, from zlib at any memLevel', () => {
    const noise = randomBytes(MiB);
    for (const memLevel of [1, 8, 9]) {
      // zlib ends a block every 2^(memLevel + 6) - 1 bytes or so: at memLevel 1, 5 bytes of
      // stored-block header for every 127 bytes of noise.
      const payload = deflateRawSync(noise, {
        memLevel,
        finishFlush: constants.Z_SYNC_FLUSH,
      }).subarray(0, -4);
      if (memLevel === 1) expect(payload.length).toBeGreaterThan(MiB + 40_000);
      const frame = encodeFrame({ ...frameOf(Opcode.BINARY, payload), rsv1: true });
      const [event, ...more] = receive(withDeflate('client', MiB), [frame]);
      expect(more, `memLevel ${memLevel}`).toEqual([]);
      expect(event?.type === 'binary' && event.data.equals(noise), `memLevel ${memLevel}`).toBe(
        true,
      );
    }
  });

  test('takes a message in 15,000 one-byte fragments, each flushed as ws and python-websockets do', () => {
    // Each fragment ends with an empty stored block: 7 bytes for each byte of the message.
    const letters = Array.from({ length: 15_000 }, (_, i) => 97 + (i % 26));
    const frames = letters.map((letter, i) => {
      const flushed = deflateRawSync(Buffer.from([letter]), {
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      const last = i === letters.length - 1;
      return encodeFrame({
        ...frameOf(
          i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
          last ? flushed.subarray(0, -4) : flushed,
        ),
        fin: last,
        rsv1: i === 0,
      });
    });
    const stream = Buffer.concat(frames);
    expect(stream.length).toBeGreaterThan(2 * 64 * 1024);
    const protocol = withDeflate('client', 64 * 1024);
    expect(receive(protocol, [stream])).toEqual([
      { type: 'text', data: Buffer.from(letters).toString() },
    ]);
  });

  test('holds the compressed bytes to maxPayload + maxPayload/16 + 16 per frame (at most maxPayload), from the headers: 1009', () => {
    /** Just the header of a frame announcing `length` bytes (126 form). */
    const header = (firstByte: number, length: number) =>
      Buffer.from([firstByte, 126, length >> 8, length & 0xff]);
    const limit = 1024 + 64 + 16; // maxPayload 1024, one frame
    const fits = withDeflate('client', 1024);
    receive(fits, [header(0xc2, limit)]);
    expect(fits.failure).toBeUndefined();
    const over = withDeflate('client', 1024);
    receive(over, [header(0xc2, limit + 1)]);
    expectFailure(over, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(over.failure?.message).toBe(
      'compressed message of 1105 bytes exceeds maxPayload 1024 (at most 1104 compressed bytes in 1 frame)',
    );
    // A second frame brings 16 bytes more room.
    const two = withDeflate('client', 1024);
    receive(two, [header(0x42, 1000), Buffer.alloc(1000), header(0x80, limit + 16 - 1000)]);
    expect(two.failure).toBeUndefined();
    const twoOver = withDeflate('client', 1024);
    receive(twoOver, [header(0x42, 1000), Buffer.alloc(1000), header(0x80, limit + 17 - 1000)]);
    expectFailure(twoOver, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    // Empty frames add room only up to maxPayload: 2,000 of them, then maxPayload * 2 + 64.
    const empties = withDeflate('client', 1024);
    const [startEmpty, empty] = [hex('42 00'), hex('00 00')];
    receive(empties, [startEmpty, ...Array(2000).fill(empty)]);
    receive(empties, [header(0x80, 2 * 1024 + 64)]);
    expect(empties.failure).toBeUndefined();
    const emptiesOver = withDeflate('client', 1024);
    receive(emptiesOver, [startEmpty, ...Array(2000).fill(empty)]);
    receive(emptiesOver, [header(0x80, 2 * 1024 + 65)]);
    expectFailure(emptiesOver, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
  });

  test('accepts a compressed message a little larger than maxPayload (incompressible, sent compressed)', () => {
    const noise = randomBytes(4096);
    const stored = deflateRawSync(noise, {
      level: 0,
      finishFlush: constants.Z_SYNC_FLUSH,
    }).subarray(0, -4);
    expect(stored.length).toBeGreaterThan(4096);
    const frame = Buffer.concat([
      hex('c2 7e'),
      Buffer.from([stored.length >> 8, stored.length & 0xff]),
      stored,
    ]);
    expect(receive(withDeflate('client', 4096), [frame])).toEqual([
      { type: 'binary', data: noise },
    ]);
  });

  test('copies a compressed message no more than it must: the frames, one join of its fragments, and what zlib inflates', () => {
    // Noise sent compressed: the compressed bytes are as many as the message's, so each copy
    // of them costs as much as the message itself.
    const noise = randomBytes(MiB);
    const payload = deflateRawSync(noise, {
      level: 0,
      finishFlush: constants.Z_SYNC_FLUSH,
    }).subarray(0, -4);
    // zlib hands out its output in chunks and then joins them: twice the message.
    const inflated = 2 * noise.length;
    const slack = 64 * 1024;
    const whole = encodeFrame({ ...frameOf(Opcode.BINARY, payload), rsv1: true });
    const single = withDeflate('client', 2 * MiB);
    const events: ProtocolEvent[] = [];
    // The frame is copied out of the read once, with room for the extension after it.
    const allocated = bytesAllocatedBy(() => events.push(...receive(single, [whole])));
    expect(events[0]?.type === 'binary' && events[0].data.equals(noise)).toBe(true);
    expect(allocated).toBeLessThan(payload.length + inflated + slack);
    // In 16 fragments: each copied out of the read, then all joined once.
    const piece = Math.ceil(payload.length / 16);
    const fragments = Array.from({ length: 16 }, (_, i) =>
      encodeFrame({
        ...frameOf(
          i === 0 ? Opcode.BINARY : Opcode.CONTINUATION,
          payload.subarray(i * piece, (i + 1) * piece),
        ),
        fin: i === 15,
        rsv1: i === 0,
      }),
    );
    const fragmented = withDeflate('client', 2 * MiB);
    events.length = 0;
    const allocatedFragmented = bytesAllocatedBy(() =>
      events.push(...receive(fragmented, fragments)),
    );
    expect(events[0]?.type === 'binary' && events[0].data.equals(noise)).toBe(true);
    expect(allocatedFragmented).toBeLessThan(2 * payload.length + inflated + slack);
  });

  test('holds no partial message once a compressed one is delivered', () => {
    const protocol = withDeflate('client');
    receive(protocol, [hex('41 03 f2 48 cd')]);
    expect(protocol.holdsPartialMessage).toBe(true);
    receive(protocol, [hex('80 04 c9 c9 07 00')]);
    expect(protocol.holdsPartialMessage).toBe(false);
  });
});

describe('what is sent compressed', () => {
  test('a message of at least the threshold (1 KiB) goes out with RSV1 and inflates back', () => {
    const { server, client } = negotiated();
    server.sendText('x'.repeat(1023));
    server.sendText('y'.repeat(1024));
    const bytes = Buffer.concat(server.dataToSend());
    expect(bytes[0]).toBe(0x81); // below the threshold: as it is
    const second = bytes.subarray(2 + 2 + 1023);
    expect(second[0]).toBe(0xc1);
    expect(decodeFrameHeader(second)?.payloadLength).toBeLessThan(32);
    expect(receive(client, [bytes])).toEqual([
      { type: 'text', data: 'x'.repeat(1023) },
      { type: 'text', data: 'y'.repeat(1024) },
    ]);
  });

  test('incompressible bytes go out as they are (no RSV1)', () => {
    const { client, server } = negotiated();
    const noise = randomBytes(2048);
    client.sendBinary(noise);
    const bytes = Buffer.concat(client.dataToSend());
    expect(bytes[0]).toBe(0x82);
    expect(receive(server, [bytes])).toEqual([{ type: 'binary', data: noise }]);
  });

  test('a client masks the compressed payload; control frames are never compressed', () => {
    const { client, server } = negotiated({}, { threshold: 0 });
    client.sendText('hello hello hello hello');
    client.sendPing(Buffer.from('ping ping ping ping ping'));
    const bytes = Buffer.concat(client.dataToSend());
    const [text, ping] = framesIn(bytes);
    expect(bytes[0]).toBe(0xc1);
    expect((bytes[1] ?? 0) & 0x80).toBe(0x80); // masked
    expect(text?.payload.length).toBeLessThan(23);
    expect(ping?.opcode).toBe(Opcode.PING);
    expect(receive(server, [bytes])).toEqual([
      { type: 'text', data: 'hello hello hello hello' },
      { type: 'ping', data: Buffer.from('ping ping ping ping ping') },
    ]);
  });

  test('with context takeover the same message costs a few bytes the second time', () => {
    const message = JSON.stringify({
      type: 'state',
      players: Array.from({ length: 100 }, (_, i) => ({ id: i, x: i * 3 })), // over 1 KiB
    });
    const sizes = (options: PerMessageDeflateOptions) => {
      const { server } = negotiated(options);
      return [1, 2].map(() => {
        server.sendText(message);
        return decodeFrameHeader(Buffer.concat(server.dataToSend()))?.payloadLength ?? 0;
      });
    };
    const [first = 0, second = 0] = sizes({});
    expect(second).toBeLessThan(first / 10);
    const [alone = 0, again = 0] = sizes({ serverNoContextTakeover: true });
    expect(again).toBe(alone);
  });
});

describe('round trips between a negotiated client and server', () => {
  const settingsArb = fc.record({
    serverNoContextTakeover: fc.boolean(),
    clientNoContextTakeover: fc.boolean(),
    serverMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    threshold: fc.constantFrom(0, 64, 1024),
  });
  const messageArb = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 600 }).map((text) => ({ text })),
    fc
      .array(fc.constantFrom('{"id":', '1,', '"x":', '[0,0]', '}', ' '), { maxLength: 400 })
      .map((words) => ({ text: words.join('') })),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({ binary: Buffer.from(bytes) })),
  );

  test('any messages, any chunking, any settings: the events equal what was sent, both ways', () => {
    fc.assert(
      fc.property(
        settingsArb,
        settingsArb,
        fc.array(messageArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        (serverSettings, clientSettings, messages, cuts) => {
          const { server, client } = negotiated(serverSettings, clientSettings);
          const expected = messages.map((message) =>
            'text' in message
              ? { type: 'text', data: message.text }
              : { type: 'binary', data: message.binary },
          );
          for (const [from, to] of [
            [client, server],
            [server, client],
          ] as const) {
            for (const message of messages) {
              if ('text' in message) from.sendText(message.text);
              else from.sendBinary(message.binary);
            }
            const stream = Buffer.concat(from.dataToSend());
            const chunks: Buffer[] = [];
            for (let at = 0, i = 0; at < stream.length; i++) {
              const size = cuts[i % cuts.length] as number;
              chunks.push(stream.subarray(at, at + size));
              at += size;
            }
            expect(receive(to, chunks)).toEqual(expected);
            expect(to.failure).toBeUndefined();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('1,000 messages with context takeover both ways, in one read each', () => {
    const { server, client } = negotiated(
      { serverMaxWindowBits: 15, clientMaxWindowBits: 15, threshold: 0 },
      { clientMaxWindowBits: 15, threshold: 0 },
    );
    for (let i = 0; i < 1000; i++) {
      const moves = [0, 1, 2, 3].map((k) => ({ who: `player-${(i + k) % 13}`, at: [i % 7, k] }));
      const text = JSON.stringify({ seq: i, moves });
      client.sendText(text);
      expect(receive(server, client.dataToSend())).toEqual([{ type: 'text', data: text }]);
      server.sendText(text);
      expect(receive(client, server.dataToSend())).toEqual([{ type: 'text', data: text }]);
    }
    expect((server.extension?.heldBytes ?? 0) + (client.extension?.heldBytes ?? 0)).toBe(
      4 * 32 * 1024,
    );
  });
});
