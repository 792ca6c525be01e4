import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ConnectionClosedError,
  decodeFrameHeader,
  type ErrorCode,
  encodeFrame,
  MessageTooBigError,
  Opcode,
  Protocol,
  ZERO_COPY_THRESHOLD,
} from '../src/index.ts';
import {
  bytesAllocatedBy,
  chunkings,
  clientFrame,
  closePayload,
  frameOf,
  framesIn,
  heapAndBuffers,
  hex,
  RFC_MASK,
  receiveAll,
  sentClose,
} from './helpers.ts';

/** Feeds bytes to a server and returns the close code it failed (or closed) with. */
function closeCodeFor(
  bytes: Uint8Array,
  options: { role?: 'server' | 'client'; maxPayload?: number } = {},
) {
  const { protocol } = receiveAll([bytes], options);
  return { failure: protocol.failure, sent: sentClose(protocol), protocol };
}

/** Feeds bytes to a fresh Protocol; expects it to fail with `closeCode` and `err.code`. */
function expectFailure(
  bytes: Uint8Array,
  code: number,
  errorCode: ErrorCode,
  options: { role?: 'server' | 'client'; maxPayload?: number } = {},
) {
  const { failure, sent, protocol } = closeCodeFor(bytes, options);
  expect(failure?.closeCode).toBe(code);
  expect(failure?.code).toBe(errorCode);
  expect(sent?.code).toBe(code);
  expect(protocol.shouldCloseTransport).toBe(true);
  return failure;
}

describe('failing the connection (one rule per test)', () => {
  test.each([
    ['rsv1', 'WS_ERR_UNEXPECTED_RSV_1'],
    ['rsv2', 'WS_ERR_UNEXPECTED_RSV_2_3'],
    ['rsv3', 'WS_ERR_UNEXPECTED_RSV_2_3'],
  ] as const)('fails with 1002 when %s is set without an extension (%s)', (bit, errorCode) => {
    const failure = expectFailure(clientFrame(Opcode.TEXT, 'hi', { [bit]: true }), 1002, errorCode);
    expect(failure?.message).toBe('reserved bits set but no extension was negotiated');
  });

  test.each([3, 4, 5, 6, 7])('fails with 1002 on reserved data opcode %i', (opcode) => {
    expectFailure(clientFrame(opcode, 'x'), 1002, 'WS_ERR_INVALID_OPCODE');
  });

  test.each([0xb, 0xc, 0xd, 0xe, 0xf])(
    'fails with 1002 on reserved control opcode %i',
    (opcode) => {
      expectFailure(clientFrame(opcode, 'x'), 1002, 'WS_ERR_INVALID_OPCODE');
    },
  );

  test('fails with 1002 on a control frame with a 126-byte payload', () => {
    const failure = expectFailure(
      clientFrame(Opcode.PING, Buffer.alloc(126)),
      1002,
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
    );
    expect(failure?.message).toBe('control frame payload of 126 bytes exceeds 125');
  });

  test('accepts a control frame with exactly 125 bytes', () => {
    const { events, protocol } = receiveAll([clientFrame(Opcode.PING, Buffer.alloc(125, 9))]);
    expect(protocol.failure).toBeUndefined();
    expect(events).toEqual([{ type: 'ping', data: Buffer.alloc(125, 9) }]);
  });

  test('fails with 1002 on a fragmented control frame', () => {
    expectFailure(clientFrame(Opcode.PING, 'x', { fin: false }), 1002, 'WS_ERR_EXPECTED_FIN');
  });

  test('fails with 1002 on a continuation frame with nothing to continue', () => {
    expectFailure(clientFrame(Opcode.CONTINUATION, 'x'), 1002, 'WS_ERR_INVALID_OPCODE');
  });

  test('fails with 1002 on a new data frame in the middle of a fragmented message', () => {
    const bytes = Buffer.concat([
      clientFrame(Opcode.TEXT, 'a', { fin: false }),
      clientFrame(Opcode.BINARY, 'b'),
    ]);
    expectFailure(bytes, 1002, 'WS_ERR_INVALID_OPCODE');
  });

  test('fails with 1002 on an unmasked client frame', () => {
    const failure = expectFailure(
      encodeFrame(frameOf(Opcode.TEXT, 'Hello')),
      1002,
      'WS_ERR_EXPECTED_MASK',
    );
    expect(failure?.message).toBe('client frames must be masked');
  });

  test('fails with 1002 on a masked server frame (client side)', () => {
    expectFailure(clientFrame(Opcode.TEXT, 'Hello'), 1002, 'WS_ERR_UNEXPECTED_MASK', {
      role: 'client',
    });
  });

  test('fails with 1002 on a 64-bit length with the top bit set', () => {
    expectFailure(
      hex('82 ff 80 00 00 00 00 00 00 00 37 fa 21 3d'),
      1002,
      'WS_ERR_INVALID_PAYLOAD_LENGTH',
    );
  });

  test('fails with 1009 on a 64-bit length above 2^53 - 1', () => {
    expectFailure(
      hex('82 ff 00 20 00 00 00 00 00 00 37 fa 21 3d'),
      1009,
      'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
    );
  });

  test('fails with 1007 on a text message that is not UTF-8', () => {
    expectFailure(clientFrame(Opcode.TEXT, hex('48 c3 28')), 1007, 'WS_ERR_INVALID_UTF8');
  });

  test('fails with 1007 on a UTF-16 surrogate encoded in UTF-8', () => {
    expectFailure(clientFrame(Opcode.TEXT, hex('ed a0 80')), 1007, 'WS_ERR_INVALID_UTF8');
  });

  test('fails with 1007 at the fragment with the bad byte, before the message ends', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(clientFrame(Opcode.TEXT, 'valid start ', { fin: false }));
    protocol.receiveData(clientFrame(Opcode.CONTINUATION, 'still fine ', { fin: false }));
    expect(protocol.failure).toBeUndefined();
    protocol.receiveData(clientFrame(Opcode.CONTINUATION, hex('f4 90'), { fin: false }));
    expect(protocol.failure?.closeCode).toBe(1007);
  });

  test('fails with 1007 within a large frame, at the read that brings the bad byte', () => {
    const text = Buffer.alloc(100 * 1024, 'a');
    text[5000] = 0xff;
    const bytes = clientFrame(Opcode.TEXT, text);
    const protocol = new Protocol({ role: 'server' });
    let reads = 0;
    for (let at = 0; at < bytes.length && protocol.failure === undefined; at += 1024) {
      protocol.receiveData(bytes.subarray(at, at + 1024));
      reads++;
    }
    expect(protocol.failure?.closeCode).toBe(1007);
    expect(reads).toBe(5); // byte 5000 of the payload (after a 14-byte header) is in read 5 of 101
  });

  test('fails with 1007 as soon as a fragment ends in an impossible prefix', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(clientFrame(Opcode.TEXT, hex('61 ed a0'), { fin: false }));
    expect(protocol.failure?.closeCode).toBe(1007);
  });

  test('fails with 1007 when a text message ends in the middle of a character', () => {
    const bytes = Buffer.concat([
      clientFrame(Opcode.TEXT, hex('61 e2 82'), { fin: false }),
      clientFrame(Opcode.CONTINUATION, ''),
    ]);
    expectFailure(bytes, 1007, 'WS_ERR_INVALID_UTF8');
  });

  test('fails with 1002 on a close frame with a 1-byte payload', () => {
    expectFailure(
      clientFrame(Opcode.CLOSE, hex('03')),
      1002,
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
    );
  });

  test.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])(
    'fails with 1002 on close code %i',
    (code) => {
      expectFailure(
        clientFrame(Opcode.CLOSE, closePayload(code)),
        1002,
        'WS_ERR_INVALID_CLOSE_CODE',
      );
    },
  );

  test('fails with 1007 on a close reason that is not UTF-8', () => {
    expectFailure(
      clientFrame(Opcode.CLOSE, Buffer.concat([closePayload(1000), hex('ff')])),
      1007,
      'WS_ERR_INVALID_UTF8',
    );
  });

  test('fails with 1009 on a message over maxPayload, from its header alone', () => {
    const frame = clientFrame(Opcode.BINARY, Buffer.alloc(1001));
    const header = frame.subarray(0, decodeFrameHeader(frame)?.headerLength);
    const failure = expectFailure(header, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', {
      maxPayload: 1000,
    });
    expect(failure).toBeInstanceOf(MessageTooBigError);
    expect(failure?.message).toBe('message of 1001 bytes exceeds maxPayload 1000');
  });

  test('fails with 1009 when fragments together exceed maxPayload', () => {
    const bytes = Buffer.concat([
      clientFrame(Opcode.BINARY, Buffer.alloc(600), { fin: false }),
      clientFrame(Opcode.CONTINUATION, Buffer.alloc(600)),
    ]);
    expectFailure(bytes, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', { maxPayload: 1000 });
  });

  test('accepts a message of exactly maxPayload bytes', () => {
    const { protocol, events } = receiveAll([clientFrame(Opcode.BINARY, Buffer.alloc(1000))], {
      maxPayload: 1000,
    });
    expect(protocol.failure).toBeUndefined();
    expect(events).toHaveLength(1);
  });

  test('ignores everything after failing', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(
      Buffer.concat([clientFrame(Opcode.CONTINUATION, 'x'), clientFrame(Opcode.TEXT, 'after')]),
    );
    protocol.receiveData(clientFrame(Opcode.TEXT, 'later'));
    expect(protocol.eventsReceived()).toEqual([]);
    expect(protocol.failure?.closeCode).toBe(1002);
  });

  test('never throws on arbitrary bytes, and fails only with 1002, 1007 or 1009', () => {
    // Mostly-valid streams with one byte flipped, plus pure noise.
    const mutatedStream = fc
      .tuple(
        fc.array(
          fc.tuple(
            fc.constantFrom(0, 1, 2, 8, 9, 10),
            fc.uint8Array({ maxLength: 140 }),
            fc.boolean(),
          ),
          {
            maxLength: 5,
          },
        ),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([frames, at, value]) => {
        const bytes = Buffer.concat(
          frames.map(([opcode, payload, fin]) => clientFrame(opcode, payload, { fin })),
        );
        if (bytes.length > 0) bytes[at % bytes.length] = value;
        return [bytes] as Uint8Array[];
      });
    const noise = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 });
    fc.assert(
      fc.property(fc.oneof(mutatedStream, noise), (chunks) => {
        const protocol = new Protocol({ role: 'server', maxPayload: 1 << 16 });
        for (const chunk of chunks) protocol.receiveData(chunk);
        protocol.eventsReceived();
        const failure = protocol.failure;
        const sent = sentClose(protocol);
        if (failure !== undefined) {
          expect([1002, 1007, 1009]).toContain(failure.closeCode);
          expect(sent?.code).toBe(failure.closeCode);
          expect(protocol.shouldCloseTransport).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('delivering the messages that came before a protocol error', () => {
  const hello = clientFrame(Opcode.TEXT, 'Hello, world!');
  const ping = clientFrame(Opcode.PING, 'after the error');
  // Autobahn's cases: a valid message, then a bad frame, then a ping — all in one write.
  const cases: Array<[string, Buffer, string]> = [
    ['3.2 (RSV2 set)', clientFrame(Opcode.TEXT, 'Hello, world!', { rsv2: true }), 'Hello, world!'],
    ['4.1.3 (reserved data opcode 5, empty)', clientFrame(0x5, ''), 'Hello, world!'],
    ['4.1.4 (reserved data opcode 5, with payload)', clientFrame(0x5, 'reserved'), 'Hello, world!'],
    ['4.2.3 (reserved control opcode 0xD, empty)', clientFrame(0xd, ''), 'Hello, world!'],
    ['4.2.4 (reserved control opcode 0xD, with payload)', clientFrame(0xd, 'x'), 'Hello, world!'],
  ];
  const streams = cases.map(([name, bad, echo]) => ({
    name,
    bytes: Buffer.concat([hello, bad, ping]),
    echo,
  }));
  // 5.15: two fragments make a message; then a continuation with nothing to continue.
  streams.push({
    name: '5.15 (continuation with nothing to continue)',
    bytes: Buffer.concat([
      clientFrame(Opcode.TEXT, 'fragment1', { fin: false }),
      clientFrame(Opcode.CONTINUATION, 'fragment2'),
      clientFrame(Opcode.CONTINUATION, 'fragment3', { fin: false }),
      clientFrame(Opcode.TEXT, 'fragment4'),
    ]),
    echo: 'fragment1fragment2',
  });

  /** An echo server driven as the node:net layer drives it: read, handle events, write. */
  function echoServer(chunks: Uint8Array[]): Buffer {
    const protocol = new Protocol({ role: 'server' });
    const written: Uint8Array[] = [];
    for (const chunk of chunks) {
      protocol.receiveData(chunk);
      for (const event of protocol.eventsReceived()) {
        // Throws ConnectionClosedError if the close frame had been queued already.
        if (event.type === 'text') protocol.sendText(event.data);
      }
      written.push(...protocol.dataToSend());
    }
    return Buffer.concat(written);
  }

  test.each(streams)(
    'echoes the message before failing with 1002: case $name',
    ({ bytes, echo }) => {
      for (const { name, chunks } of chunkings(bytes)) {
        const frames = framesIn(echoServer(chunks));
        expect(
          frames.map((frame) => frame.opcode),
          name,
        ).toEqual([Opcode.TEXT, Opcode.CLOSE]);
        expect(frames[0]?.payload.toString(), name).toBe(echo);
        expect(frames[1]?.payload.readUInt16BE(0), name).toBe(1002);
      }
    },
  );

  test('answers a ping before the bad frame with a pong, ahead of the close frame', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(Buffer.concat([clientFrame(Opcode.PING, 'first'), clientFrame(0x3, '')]));
    expect(protocol.failure?.closeCode).toBe(1002);
    expect(protocol.state).toBe('open'); // until the ping's event has been handed out
    expect(protocol.eventsReceived()).toEqual([{ type: 'ping', data: Buffer.from('first') }]);
    const frames = framesIn(Buffer.concat(protocol.dataToSend()));
    expect(frames.map((frame) => frame.opcode)).toEqual([Opcode.PONG, Opcode.CLOSE]);
    expect(protocol.state).toBe('closed');
    expect(protocol.shouldCloseTransport).toBe(true);
  });

  test("sends the failure's code, not 1000, when the application closes while handling those events", () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(Buffer.concat([hello, clientFrame(0x3, '')]));
    protocol.eventsReceived();
    protocol.sendClose(1000, 'bye');
    expect(framesIn(Buffer.concat(protocol.dataToSend()))[0]?.payload.readUInt16BE(0)).toBe(1002);
    protocol.receiveData(clientFrame(Opcode.TEXT, 'later'));
    expect(protocol.eventsReceived()).toEqual([]);
  });
});

describe('receiving messages', () => {
  const stream = Buffer.concat([
    clientFrame(Opcode.TEXT, 'Hello'),
    clientFrame(Opcode.TEXT, hex('ce ba e1'), { fin: false }), // "κ" then half of "ό"
    clientFrame(Opcode.PING, 'mid-message ping'),
    clientFrame(Opcode.CONTINUATION, hex('bd b9 cf 83 ce bc ce b5'), { fin: false }),
    clientFrame(Opcode.PONG, ''),
    clientFrame(Opcode.CONTINUATION, '', { fin: true }),
    clientFrame(Opcode.BINARY, Buffer.from([1, 2]), { fin: false }),
    clientFrame(Opcode.CONTINUATION, Buffer.from([3]), { mask: hex('01 02 03 04') }),
    clientFrame(Opcode.BINARY, Buffer.alloc(0)),
  ]);
  const expected = [
    { type: 'text', data: 'Hello' },
    { type: 'ping', data: Buffer.from('mid-message ping') },
    { type: 'pong', data: Buffer.alloc(0) },
    { type: 'text', data: hex('ce ba e1 bd b9 cf 83 ce bc ce b5').toString() }, // κόσμε
    { type: 'binary', data: Buffer.from([1, 2, 3]) },
    { type: 'binary', data: Buffer.alloc(0) },
  ];

  test('assembles fragmented messages with control frames interleaved', () => {
    const { events, protocol } = receiveAll([stream]);
    expect(protocol.failure).toBeUndefined();
    expect(events).toEqual(expected);
  });

  test('gives the same events fed whole, split at every offset, and byte by byte', () => {
    for (const { name, chunks } of chunkings(stream))
      expect(receiveAll(chunks).events, name).toEqual(expected);
  });

  test('answers a ping with a pong carrying the same payload', () => {
    const { protocol } = receiveAll([clientFrame(Opcode.PING, 'are you there')]);
    expect(Buffer.concat(protocol.dataToSend())).toEqual(
      encodeFrame(frameOf(Opcode.PONG, 'are you there')),
    );
  });

  test.each([
    ['a close frame', () => clientFrame(Opcode.CLOSE, closePayload(1000))],
    ['a protocol error', () => clientFrame(0x3, 'reserved opcode')],
  ])('lets go of a half-received message once %s ends the connection', (_how, ending) => {
    // 8 MiB of a message that will never be finished, in 1 MiB fragments, built up front so
    // that the only memory that comes and goes below is the Protocol's own copy.
    const fragments = Array.from({ length: 8 }, (_, i) =>
      clientFrame(i === 0 ? Opcode.BINARY : Opcode.CONTINUATION, Buffer.alloc(1024 * 1024), {
        fin: false,
      }),
    );
    const last = ending();
    const protocol = new Protocol({ role: 'server' });
    const before = heapAndBuffers();
    for (const fragment of fragments) protocol.receiveData(fragment);
    protocol.receiveData(last);
    expect(protocol.state).toBe('closed');
    // The Protocol object is still alive here; the 8 MiB it gathered must not be.
    expect(heapAndBuffers() - before).toBeLessThan(2 * 1024 * 1024);
  });

  test('has no limit on the number of fragments other than maxPayload', () => {
    const parts = [clientFrame(Opcode.BINARY, 'a', { fin: false })];
    for (let i = 0; i < 20_000; i++)
      parts.push(clientFrame(Opcode.CONTINUATION, 'b', { fin: false }));
    parts.push(clientFrame(Opcode.CONTINUATION, 'c'));
    const { events, protocol } = receiveAll([Buffer.concat(parts)]);
    expect(protocol.failure).toBeUndefined();
    expect(events).toHaveLength(1);
    expect((events[0] as { data: Buffer }).data.length).toBe(20_002);
  });

  test.each([
    ['binary', Opcode.BINARY, 'x'],
    ['text', Opcode.TEXT, '€'],
    ['empty binary', Opcode.BINARY, ''],
    ['empty text', Opcode.TEXT, ''],
  ])(
    'holds memory for the bytes, not the count, of 1,000,000 %s fragments',
    (_kind, opcode, text) => {
      const protocol = new Protocol({ role: 'server' });
      protocol.receiveData(clientFrame(opcode, text, { fin: false }));
      const batch = Buffer.concat(
        Array.from({ length: 10_000 }, () =>
          clientFrame(Opcode.CONTINUATION, text, { fin: false }),
        ),
      );
      const before = heapAndBuffers();
      for (let i = 0; i < 100; i++) protocol.receiveData(batch);
      const grown = heapAndBuffers() - before;
      protocol.receiveData(clientFrame(Opcode.CONTINUATION, text));
      const [event] = protocol.eventsReceived();
      expect(protocol.failure).toBeUndefined();
      const payloadBytes = Buffer.byteLength(text) * 1_000_001 + Buffer.byteLength(text);
      const data = (event as { data: Buffer | string }).data;
      expect(Buffer.byteLength(data)).toBe(payloadBytes);
      // Kept one object per fragment, this grew by 109 MiB (one-byte binary), 24 MiB ('€' text)
      // and 10 MiB (empty, which maxPayload never counts); gathered in blocks, under 2 MiB.
      expect(grown).toBeLessThan(payloadBytes + 4 * 2 ** 20);
    },
  );

  test.each([
    ['binary', Opcode.BINARY],
    ['text', Opcode.TEXT],
  ])('stays linear for a 2 MiB %s message in 2048 fragments of 1 KiB', (_kind, opcode) => {
    const piece = Buffer.from('é'.repeat(512)); // 1 KiB of whole two-byte characters
    const fragments = Array.from({ length: 2048 }, (_, i) =>
      clientFrame(i === 0 ? opcode : Opcode.CONTINUATION, piece, { fin: i === 2047 }),
    );
    const protocol = new Protocol({ role: 'server' });
    const allocated = bytesAllocatedBy(() => {
      for (const fragment of fragments) protocol.receiveData(fragment);
    });
    const [event] = protocol.eventsReceived();
    const size = piece.length * fragments.length;
    if (opcode === Opcode.TEXT)
      expect(event).toEqual({ type: 'text', data: 'é'.repeat(512 * 2048) });
    else
      expect((event as { data: Buffer }).data.equals(Buffer.concat(Array(2048).fill(piece)))).toBe(
        true,
      );
    // The parser's copy of each payload and one final join: about 2x. (1 KiB pieces are kept
    // as they are; only smaller ones would be joined into blocks first, see pieces.ts.)
    expect(allocated).toBeLessThanOrEqual(2 * size + 64 * 1024);
  });

  test('round-trips random messages from a client to a server under random chunkings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 50 }),
            fc.uint8Array({ maxLength: 300 }),
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 64 }),
        (messages, chunkSize) => {
          const client = new Protocol({ role: 'client' });
          for (const message of messages) {
            if (typeof message === 'string') client.sendText(message);
            else client.sendBinary(message);
          }
          const bytes = Buffer.concat(client.dataToSend());
          const chunks: Uint8Array[] = [];
          for (let at = 0; at < bytes.length; at += chunkSize)
            chunks.push(bytes.subarray(at, at + chunkSize));
          const { events, protocol } = receiveAll(chunks);
          expect(protocol.failure).toBeUndefined();
          expect(events.map((event) => ('data' in event ? event.data : undefined))).toEqual(
            messages.map((message) =>
              typeof message === 'string' ? message : Buffer.from(message),
            ),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('sending', () => {
  test('a server sends unmasked frames', () => {
    const server = new Protocol({ role: 'server' });
    server.sendText('Hello');
    expect(Buffer.concat(server.dataToSend()).toString('hex')).toBe('810548656c6c6f');
  });

  test('a client masks every frame with the injected mask', () => {
    const client = new Protocol({ role: 'client', generateMask: () => RFC_MASK });
    client.sendText('Hello');
    client.sendPing(Buffer.from('Hello'));
    expect(Buffer.concat(client.dataToSend()).toString('hex')).toBe(
      '818537fa213d7f9f4d5158' + '898537fa213d7f9f4d5158',
    );
  });

  test('a client uses a fresh random mask per frame by default', () => {
    const client = new Protocol({ role: 'client' });
    for (let i = 0; i < 4; i++) client.sendBinary(Buffer.alloc(4));
    const masks = client
      .dataToSend()
      .map((frame) => Buffer.from(frame.subarray(2, 6)).toString('hex'));
    expect(new Set(masks).size).toBe(4);
  });

  test('sends a large server payload without copying it', () => {
    const server = new Protocol({ role: 'server' });
    const payload = Buffer.alloc(100_000, 3);
    server.sendBinary(payload);
    const out = server.dataToSend();
    expect(out).toHaveLength(2);
    expect(out[1]).toBe(payload);
    expect(Buffer.from(out[0] ?? []).toString('hex')).toBe('827f00000000000186a0');
  });

  test.each([
    [ZERO_COPY_THRESHOLD - 1, 1],
    [ZERO_COPY_THRESHOLD, 2],
  ])('queues a %i-byte server payload as %i piece(s)', (size, pieces) => {
    const server = new Protocol({ role: 'server' });
    server.sendBinary(Buffer.alloc(size));
    expect(server.dataToSend()).toHaveLength(pieces);
  });

  test('counts the bytes waiting to be taken', () => {
    const server = new Protocol({ role: 'server' });
    server.sendText('abc');
    server.sendBinary(Buffer.alloc(200));
    expect(server.bytesToSend).toBe(5 + 204);
    server.dataToSend();
    expect(server.bytesToSend).toBe(0);
  });

  test('refuses a ping payload over 125 bytes', () => {
    expect(() => new Protocol({ role: 'server' }).sendPing(Buffer.alloc(126))).toThrow(RangeError);
  });

  test.each([999, 1004, 1006, 1015, 2000, 5000])('refuses to send close code %i', (code) => {
    expect(() => new Protocol({ role: 'server' }).sendClose(code)).toThrow(RangeError);
  });

  test('sends an empty close frame for code 1005 ("no status")', () => {
    const server = new Protocol({ role: 'server' });
    server.sendClose(1005);
    expect(Buffer.concat(server.dataToSend()).toString('hex')).toBe('8800');
  });

  test('refuses a close reason over 123 bytes', () => {
    expect(() => new Protocol({ role: 'server' }).sendClose(1000, 'x'.repeat(124))).toThrow(
      RangeError,
    );
  });
});

describe('the closing handshake', () => {
  test('answers a peer close by echoing its code and is then closed', () => {
    const { protocol, events } = receiveAll([clientFrame(Opcode.CLOSE, closePayload(4000, 'bye'))]);
    expect(events).toEqual([{ type: 'close', code: 4000, reason: 'bye' }]);
    expect(sentClose(protocol)).toEqual({ code: 4000, reason: '' });
    expect(protocol.state).toBe('closed');
    expect(protocol.shouldCloseTransport).toBe(true);
  });

  test.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999])(
    'accepts and echoes close code %i',
    (code) => {
      const { protocol, events } = receiveAll([clientFrame(Opcode.CLOSE, closePayload(code))]);
      expect(protocol.failure).toBeUndefined();
      expect(events).toEqual([{ type: 'close', code, reason: '' }]);
      expect(sentClose(protocol)?.code).toBe(code);
    },
  );

  test('reports 1005 for an empty close and answers with an empty close', () => {
    const { protocol, events } = receiveAll([clientFrame(Opcode.CLOSE, '')]);
    expect(events).toEqual([{ type: 'close', code: 1005, reason: '' }]);
    expect(Buffer.concat(protocol.dataToSend()).toString('hex')).toBe('8800');
  });

  test('goes open -> closing -> closed when we close first, skipping data sent meanwhile', () => {
    const protocol = new Protocol({ role: 'server' });
    expect(protocol.state).toBe('open');
    protocol.sendClose(1000, 'done');
    expect(protocol.state).toBe('closing');
    expect(protocol.shouldCloseTransport).toBe(false);
    expect(sentClose(protocol)).toEqual({ code: 1000, reason: 'done' });
    // As browsers do (a message arriving when readyState is not OPEN is dropped), data after
    // our Close is for no one: it is skipped unread, and the peer's Close still ends it.
    protocol.receiveData(clientFrame(Opcode.TEXT, 'sent before it saw our close'));
    protocol.receiveData(clientFrame(Opcode.CLOSE, closePayload(1000)));
    expect(protocol.eventsReceived()).toEqual([{ type: 'close', code: 1000, reason: '' }]);
    expect(protocol.dataToSend()).toEqual([]); // no second close frame
    expect(protocol.state).toBe('closed');
    expect(protocol.shouldCloseTransport).toBe(true);
  });

  test('reads no payload after our close: 8 MiB of data frames cost nothing, a frame cut by it is dropped', () => {
    const frames = Array.from({ length: 8 }, () =>
      clientFrame(Opcode.BINARY, Buffer.alloc(1024 * 1024, 7)),
    );
    const protocol = new Protocol({ role: 'server' });
    // A text frame whose first half arrives before we close and whose second half after.
    const cut = clientFrame(Opcode.TEXT, 'x'.repeat(100_000));
    protocol.receiveData(cut.subarray(0, 50_000));
    protocol.sendClose(1008, 'over the limit');
    const before = heapAndBuffers();
    protocol.receiveData(cut.subarray(50_000));
    for (const frame of frames) protocol.receiveData(frame);
    expect(heapAndBuffers() - before).toBeLessThan(2 * 1024 * 1024);
    protocol.receiveData(clientFrame(Opcode.CLOSE, closePayload(1008)));
    expect(protocol.eventsReceived()).toEqual([{ type: 'close', code: 1008, reason: '' }]);
    expect(protocol.state).toBe('closed');
  });

  test('refuses to send data after the close frame', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.sendClose(1001);
    expect(() => protocol.sendText('late')).toThrow(ConnectionClosedError);
    expect(() => protocol.sendText('late')).toThrow(
      expect.objectContaining({ code: 'WS_ERR_CONNECTION_CLOSED', closeCode: 1001 }),
    );
  });

  test('ignores frames after the peer close', () => {
    const bytes = Buffer.concat([
      clientFrame(Opcode.CLOSE, closePayload(1000)),
      clientFrame(Opcode.TEXT, 'ignored'),
    ]);
    const { events } = receiveAll([bytes]);
    expect(events).toEqual([{ type: 'close', code: 1000, reason: '' }]);
  });

  test('does not answer a ping that arrives after our close', () => {
    const protocol = new Protocol({ role: 'server' });
    protocol.sendClose();
    protocol.dataToSend();
    protocol.receiveData(clientFrame(Opcode.PING, 'x'));
    expect(protocol.dataToSend()).toEqual([]);
  });
});

describe('what an idle connection holds', () => {
  test.each([
    ['binary', Opcode.BINARY, Buffer.from([1, 2, 3])],
    ['text', Opcode.TEXT, Buffer.from('hé')],
  ])(
    'holds no %s fragment state before a fragmented message, while it runs, and none after',
    (_, opcode, bytes) => {
      const protocol = new Protocol({ role: 'server' });
      expect(protocol.holdsPartialMessage).toBe(false);
      protocol.receiveData(clientFrame(opcode, bytes.subarray(0, 2), { fin: false }));
      expect(protocol.holdsPartialMessage).toBe(true);
      protocol.receiveData(clientFrame(Opcode.CONTINUATION, bytes.subarray(2)));
      expect(protocol.eventsReceived()).toHaveLength(1);
      expect(protocol.holdsPartialMessage).toBe(false);
    },
  );

  test('holds nothing for a frame split across reads once it is complete', () => {
    const protocol = new Protocol({ role: 'server' });
    const frame = clientFrame(Opcode.BINARY, Buffer.alloc(100_000, 7));
    protocol.receiveData(frame.subarray(0, 50_000));
    expect(protocol.holdsPartialMessage).toBe(true);
    protocol.receiveData(frame.subarray(50_000));
    expect(protocol.eventsReceived()[0]).toMatchObject({ type: 'binary' });
    expect(protocol.holdsPartialMessage).toBe(false);
  });
});
