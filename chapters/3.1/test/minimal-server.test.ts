/**
 * The whole server on one page (src/plain/minimal-server.ts), met the ways a server meets the
 * world: RFC 6455 byte vectors, the `ws` client, a raw TCP client that sends whatever it likes,
 * Chromium, and the command line with a real signal.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import { until, within } from '@course/course-kit/testing/waits';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  closeBody,
  computeAcceptKey,
  encodeFrame,
  MAX_MESSAGE_BYTES,
  type MinimalServer,
  Opcode,
  ProtocolError,
  parseFrame,
  startMinimalServer,
} from '../src/plain/minimal-server.ts';

/** The integers from `start` up to, not including, `end`. */
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const toHex = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const RFC_MASK = hex('37 fa 21 3d'); // the masking key of the §5.7 examples

/** A client frame, masked as §5.3 asks; the mask is given so the bytes are predictable. */
function maskedFrame(opcode: number, payload: Uint8Array, { fin = true, mask = RFC_MASK } = {}) {
  const length = payload.length;
  const lengthBytes =
    length < 126
      ? Buffer.from([0x80 | length])
      : length < 0x10000
        ? Buffer.from([0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | 127]), bigEndian64(length)]);
  const masked = Buffer.from(payload).map((byte, i) => byte ^ (mask[i % 4] ?? 0));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), lengthBytes, mask, masked]);
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

/** The close code a function fails with, or a message saying it did not fail. */
function closeCodeOf(run: () => unknown): number | string {
  try {
    run();
    return 'did not throw';
  } catch (error) {
    return error instanceof ProtocolError ? error.closeCode : `threw ${String(error)}`;
  }
}

describe('byte vectors from RFC 6455', () => {
  it('computes the §1.3 accept key for "dGhlIHNhbXBsZSBub25jZQ=="', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('encodes the §5.7 unmasked "Hello" as 81 05 48 65 6c 6c 6f', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, Buffer.from('Hello')))).toBe('81 05 48 65 6c 6c 6f');
  });

  it('decodes the §5.7 masked "Hello" (81 85 37 fa 21 3d 7f 9f 4d 51 58)', () => {
    const frame = parseFrame(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), MAX_MESSAGE_BYTES);
    expect(frame).toMatchObject({ fin: true, opcode: Opcode.TEXT, size: 11 });
    expect(frame?.payload.toString()).toBe('Hello');
  });

  it('encodes the §5.7 fragmented "Hel" + "lo" as 01 03 48 65 6c and 80 02 6c 6f', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, Buffer.from('Hel'), false))).toBe('01 03 48 65 6c');
    expect(toHex(encodeFrame(Opcode.CONTINUATION, Buffer.from('lo')))).toBe('80 02 6c 6f');
  });

  it('encodes the §5.7 ping and decodes its masked pong', () => {
    expect(toHex(encodeFrame(Opcode.PING, Buffer.from('Hello')))).toBe('89 05 48 65 6c 6c 6f');
    const pong = parseFrame(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), MAX_MESSAGE_BYTES);
    expect(pong).toMatchObject({ fin: true, opcode: Opcode.PONG });
    expect(pong?.payload.toString()).toBe('Hello');
  });

  it('starts the §5.7 256-byte binary frame with 82 7e 01 00 and the 64 KiB one with 82 7f + 8 bytes', () => {
    expect(toHex(encodeFrame(Opcode.BINARY, Buffer.alloc(256)).subarray(0, 4))).toBe('82 7e 01 00');
    expect(toHex(encodeFrame(Opcode.BINARY, Buffer.alloc(65536)).subarray(0, 10))).toBe(
      '82 7f 00 00 00 00 00 01 00 00',
    );
  });

  it.each([
    [0, '82 00'],
    [125, '82 7d'],
    [126, '82 7e 00 7e'],
    [65535, '82 7e ff ff'],
    [65536, '82 7f 00 00 00 00 00 01 00 00'],
  ])('encodes a %i-byte payload behind the header %s', (length, header) => {
    const payload = randomBytes(length);
    const frame = encodeFrame(Opcode.BINARY, payload);
    const headerBytes = hex(header);
    expect(toHex(frame.subarray(0, headerBytes.length))).toBe(header);
    expect(frame.length).toBe(headerBytes.length + length);
    expect(frame.subarray(headerBytes.length).equals(payload)).toBe(true);
  });

  it.each([0, 125, 126, 127, 65535, 65536])(
    'parses a masked %i-byte frame, and waits (undefined) while any byte is missing',
    (length) => {
      const payload = randomBytes(length);
      const bytes = maskedFrame(Opcode.BINARY, payload, { mask: randomBytes(4) });
      const frame = parseFrame(bytes, MAX_MESSAGE_BYTES);
      expect(frame?.size).toBe(bytes.length);
      expect(frame?.payload.equals(payload)).toBe(true);
      const cuts = length < 300 ? bytes.length : 20; // every cut of a small frame; a big one's header
      for (let cut = 0; cut < cuts; cut++)
        expect(parseFrame(bytes.subarray(0, cut), 1 << 20)).toBe(undefined);
      expect(parseFrame(bytes.subarray(0, bytes.length - 1), 1 << 20)).toBe(undefined);
    },
  );

  it('round-trips any masked frame, and reads only its own bytes when more follow', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.constantFrom(Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION),
        fc.boolean(),
        fc.uint8Array({ maxLength: 20 }),
        (payload, mask, opcode, fin, trailing) => {
          const bytes = maskedFrame(opcode, payload, { fin, mask: Buffer.from(mask) });
          const frame = parseFrame(Buffer.concat([bytes, trailing]), MAX_MESSAGE_BYTES);
          expect(frame).toMatchObject({ fin, opcode, size: bytes.length });
          expect(frame?.payload.equals(payload)).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['an unmasked frame', '81 05 48 65 6c 6c 6f', 1002],
    ['RSV1 set with no extension', 'c1 80 00 00 00 00', 1002],
    ['the reserved opcode 0x3', '83 80 00 00 00 00', 1002],
    ['the reserved opcode 0xb', '8b 80 00 00 00 00', 1002],
    ['a fragmented ping', '09 80 00 00 00 00', 1002],
    ['a 126-byte ping', '89 fe 00 7e', 1002],
    ['a 64-bit length with its top bit set', '82 ff 80 00 00 00 00 00 00 00', 1002],
    ['a 2^40-byte frame, from its header alone', '82 ff 00 00 01 00 00 00 00 00', 1009],
  ])('fails %s with close code %i', (_name, bytes, code) => {
    expect(closeCodeOf(() => parseFrame(hex(bytes), MAX_MESSAGE_BYTES))).toBe(code);
  });

  it('never throws anything but a ProtocolError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const result = closeCodeOf(() => parseFrame(Buffer.from(bytes), 1024));
        expect(typeof result === 'number' || result === 'did not throw').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts a close code in network order before its reason', () => {
    expect(toHex(closeBody(1001, 'bye'))).toBe('03 e9 62 79 65');
  });
});

/** A `ws` client that records what it receives and how it was closed. */
async function openWs(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const received: { data: Buffer; isBinary: boolean }[] = [];
  const pongs: Buffer[] = [];
  ws.on('message', (data, isBinary) => received.push({ data: data as Buffer, isBinary }));
  ws.on('pong', (data) => pongs.push(data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await within(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    10_000,
    'the ws client to open',
  );
  return { ws, received, pongs, closed };
}

describe('with the ws client', () => {
  let server: MinimalServer;
  beforeAll(async () => {
    server = await startMinimalServer({ port: 0 });
  });
  afterAll(() => server?.close());

  it.each([0, 125, 126, 65535, 65536, 1 << 20])(
    'echoes %i bytes of text and of binary',
    async (length) => {
      const client = await openWs(server.port);
      const text = randomBytes(length).toString('base64').slice(0, length);
      const binary = randomBytes(length);
      client.ws.send(text);
      client.ws.send(binary);
      const [first, second] = await until(
        () => (client.received.length >= 2 ? client.received : undefined),
        10_000,
        `two ${length}-byte echoes`,
      );
      expect(first?.isBinary).toBe(false);
      expect(first?.data.toString()).toBe(text);
      expect(second?.isBinary).toBe(true);
      expect(second?.data.equals(binary)).toBe(true);
      client.ws.close();
      await within(client.closed, 10_000, 'the close handshake');
    },
  );

  it('echoes multi-byte UTF-8 text intact', async () => {
    const client = await openWs(server.port);
    client.ws.send('你好, WebSocket 🌍');
    const [echo] = await until(
      () => client.received.length > 0 && client.received,
      10_000,
      'the echo',
    );
    expect(echo?.data.toString()).toBe('你好, WebSocket 🌍');
    client.ws.close();
  });

  it('joins a message sent in fragments, with a ping between them, into one echo', async () => {
    const client = await openWs(server.port);
    client.ws.send('Hel', { fin: false });
    client.ws.ping('between');
    client.ws.send('lo, ', { fin: false });
    client.ws.send('world', { fin: true });
    const [echo] = await until(
      () => client.received.length > 0 && client.received,
      10_000,
      'the joined echo',
    );
    expect(echo?.data.toString()).toBe('Hello, world');
    expect(client.received).toHaveLength(1);
    expect(client.pongs.map(String)).toEqual(['between']);
    client.ws.close();
  });

  it('answers a ping with a pong carrying the same bytes', async () => {
    const client = await openWs(server.port);
    client.ws.ping(Buffer.from([0, 1, 2, 255]));
    const [pong] = await until(() => client.pongs.length > 0 && client.pongs, 10_000, 'a pong');
    expect(pong && toHex(pong)).toBe('00 01 02 ff');
    client.ws.close();
  });

  it('echoes a close code and reason back to the client', async () => {
    const client = await openWs(server.port);
    client.ws.close(4000, 'bye now');
    expect(await within(client.closed, 10_000, 'the echoed close')).toEqual({
      code: 4000,
      reason: 'bye now',
    });
  });

  it('closes with 1009 when a message, whole or in fragments, passes the limit', async () => {
    const small = await startMinimalServer({ port: 0, maxMessageBytes: 1024 });
    try {
      const whole = await openWs(small.port);
      whole.ws.send(Buffer.alloc(1025));
      expect((await within(whole.closed, 10_000, 'close 1009 (one frame)')).code).toBe(1009);
      const pieces = await openWs(small.port);
      pieces.ws.send(Buffer.alloc(600), { fin: false });
      pieces.ws.send(Buffer.alloc(600), { fin: true });
      expect((await within(pieces.closed, 10_000, 'close 1009 (fragments)')).code).toBe(1009);
      const justFits = await openWs(small.port);
      justFits.ws.send(Buffer.alloc(1024));
      await until(() => justFits.received.length > 0, 10_000, 'the 1024-byte echo');
      justFits.ws.close();
    } finally {
      await small.close();
    }
  });

  it('closes its clients with 1001 when it stops', async () => {
    const stopping = await startMinimalServer({ port: 0 });
    const client = await openWs(stopping.port);
    await within(stopping.close(), 10_000, 'the server to stop');
    expect(await within(client.closed, 10_000, 'the client to see the close')).toEqual({
      code: 1001,
      reason: 'server shutting down',
    });
  });
});

type ServerFrame = { fin: boolean; opcode: number; payload: Buffer };

/** Reads the complete (unmasked) server frames at the front of `bytes`. */
function readServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (bytes.length - at >= 2) {
    const first = bytes.readUInt8(at);
    const second = bytes.readUInt8(at + 1);
    if (second & 0x80) throw new Error('the server masked a frame (§5.1 forbids it)');
    let length = second & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (bytes.length < at + 4) break;
      [length, start] = [bytes.readUInt16BE(at + 2), at + 4];
    } else if (length === 127) {
      if (bytes.length < at + 10) break;
      [length, start] = [Number(bytes.readBigUInt64BE(at + 2)), at + 10];
    }
    if (bytes.length < start + length) break;
    frames.push({
      fin: (first & 0x80) !== 0,
      opcode: first & 0x0f,
      payload: bytes.subarray(start, start + length),
    });
    at = start + length;
  }
  return frames;
}

const RFC_REQUEST = [
  'GET /chat HTTP/1.1',
  'Host: server.example.com',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Origin: http://example.com',
  'Sec-WebSocket-Protocol: chat, superchat',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');
const RFC_RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** A client on a bare TCP socket: writes any bytes, and keeps every byte the server sends. */
class RawPeer {
  bytes = Buffer.alloc(0);
  ended = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes = Buffer.concat([this.bytes, chunk]);
    });
    socket.on('close', () => {
      this.ended = true;
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await within(
      new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      10_000,
      'a TCP connection',
    );
    return new RawPeer(socket);
  }

  /** Connects and sends the §1.3 request; `after` rides in the same write. */
  static async upgraded(port: number, after: Uint8Array = Buffer.alloc(0)): Promise<RawPeer> {
    const peer = await RawPeer.connect(port);
    await peer.write(Buffer.concat([Buffer.from(RFC_REQUEST), after]));
    expect(await peer.head()).toBe(RFC_RESPONSE);
    return peer;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Waits for the HTTP response head and returns it; the bytes after it stay. */
  async head(): Promise<string> {
    const end = await until(
      () => {
        const at = this.bytes.indexOf('\r\n\r\n');
        return at === -1 ? undefined : at + 4;
      },
      10_000,
      'the end of the HTTP response head',
    );
    const head = this.bytes.subarray(0, end).toString('latin1');
    this.bytes = this.bytes.subarray(end);
    return head;
  }

  frames(count: number, what: string): Promise<ServerFrame[]> {
    return until(
      () => {
        const frames = readServerFrames(this.bytes);
        return frames.length >= count ? frames : undefined;
      },
      10_000,
      what,
    );
  }

  /** Waits for the server's Close frame and then for the server to end the connection. */
  async closedWith(): Promise<{ code: number; reason: string }> {
    const frames = await until(
      () => {
        const all = readServerFrames(this.bytes);
        return all.some((frame) => frame.opcode === Opcode.CLOSE) && all;
      },
      10_000,
      'a close frame from the server',
    );
    const close = frames.find((frame) => frame.opcode === Opcode.CLOSE);
    await until(() => this.ended, 10_000, 'the server to end the connection after its close frame');
    return {
      code: close?.payload.readUInt16BE(0) ?? 0,
      reason: close?.payload.subarray(2).toString() ?? '',
    };
  }

  /** Everything the server sent until it ended the connection. */
  async everything(): Promise<string> {
    await until(() => this.ended, 10_000, 'the server to end the connection');
    return this.bytes.toString('latin1');
  }

  destroy() {
    this.socket.destroy();
  }
}

describe('with a raw TCP client', () => {
  let server: MinimalServer;
  const peers: RawPeer[] = [];
  beforeAll(async () => {
    server = await startMinimalServer({ port: 0 });
  });
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy();
  });
  afterAll(() => server?.close());

  const upgraded = async (after?: Uint8Array) => {
    const peer = await RawPeer.upgraded(server.port, after);
    peers.push(peer);
    return peer;
  };

  /**
   * An upgraded peer plus `read`, which hands bytes to the server as one read of its socket.
   * Emitting 'data' on the server's own socket makes each call exactly one read; writes from
   * the peer may be merged or split by TCP on the way.
   */
  async function withExactReads() {
    const serverSocket = new Promise<Socket>((resolve) =>
      server.server.once('connection', resolve),
    );
    const peer = await upgraded();
    const socket = await within(serverSocket, 10_000, 'the server side of the connection');
    return { peer, socket, read: (bytes: Uint8Array) => socket.emit('data', Buffer.from(bytes)) };
  }

  it('answers the §1.3 sample handshake with exactly the 101 response it shows', async () => {
    await upgraded(); // RawPeer.upgraded compares the response head byte for byte
  });

  it('echoes a frame sent in the same write as the handshake', async () => {
    const peer = await upgraded(maskedFrame(Opcode.TEXT, Buffer.from('right away')));
    const [echo] = await peer.frames(1, 'the echo');
    expect(echo?.payload.toString()).toBe('right away');
  });

  it('echoes both of two frames sent in one write', async () => {
    const peer = await upgraded();
    await peer.write(
      Buffer.concat([
        maskedFrame(Opcode.TEXT, Buffer.from('one')),
        maskedFrame(Opcode.BINARY, hex('0203')),
      ]),
    );
    const frames = await peer.frames(2, 'two echoes');
    expect(frames.map((frame) => [frame.opcode, toHex(frame.payload)])).toEqual([
      [Opcode.TEXT, toHex(Buffer.from('one'))],
      [Opcode.BINARY, '02 03'],
    ]);
  });

  it('echoes a frame split into two reads at every offset, and sends nothing until it is whole', async () => {
    const { peer, socket, read } = await withExactReads();
    const payloads = [Buffer.from('Hello'), randomBytes(300), randomBytes(65536)];
    const expected: Buffer[] = [];
    for (const payload of payloads) {
      const frame = maskedFrame(Opcode.BINARY, payload, { mask: randomBytes(4) });
      // Every offset of the small frames; the header and mask of the 64 KiB one, and its end.
      const cuts =
        frame.length < 1000 ? range(1, frame.length) : [...range(1, 16), frame.length - 1];
      for (const cut of cuts) {
        const written = socket.bytesWritten;
        read(frame.subarray(0, cut));
        expect(socket.bytesWritten, `an echo after only ${cut} of ${frame.length} bytes`).toBe(
          written,
        );
        read(frame.subarray(cut));
        expected.push(payload);
      }
    }
    const frames = await peer.frames(expected.length, `${expected.length} echoes`);
    const wrong = frames.flatMap((frame, i) =>
      frame.payload.equals(expected[i] ?? Buffer.alloc(0)) ? [] : [i],
    );
    expect(wrong, 'echoes that differ from what was sent').toEqual([]);
  });

  it('answers a stream of frames read one byte at a time', async () => {
    const { peer, read } = await withExactReads();
    const binary = randomBytes(300);
    const stream = Buffer.concat([
      maskedFrame(Opcode.TEXT, Buffer.from('Hello')),
      maskedFrame(Opcode.PING, Buffer.from('ping!')),
      maskedFrame(Opcode.BINARY, binary),
      maskedFrame(Opcode.TEXT, Buffer.from('Hel'), { fin: false }),
      maskedFrame(Opcode.CONTINUATION, Buffer.from('lo')),
      maskedFrame(Opcode.CLOSE, closeBody(1000, 'done')),
    ]);
    for (const byte of stream) read(Buffer.from([byte]));
    const frames = await peer.frames(5, 'four answers and a close');
    expect(frames.map((frame) => [frame.opcode, frame.payload.toString('hex')])).toEqual([
      [Opcode.TEXT, Buffer.from('Hello').toString('hex')],
      [Opcode.PONG, Buffer.from('ping!').toString('hex')],
      [Opcode.BINARY, binary.toString('hex')],
      [Opcode.TEXT, Buffer.from('Hello').toString('hex')],
      [Opcode.CLOSE, closeBody(1000, 'done').toString('hex')],
    ]);
  });

  it('echoes a frame written to TCP one byte at a time', async () => {
    const peer = await upgraded();
    for (const byte of maskedFrame(Opcode.TEXT, Buffer.from('slowly, byte by byte')))
      await peer.write(Buffer.from([byte]));
    const [echo] = await peer.frames(1, 'the echo');
    expect(echo?.payload.toString()).toBe('slowly, byte by byte');
  });

  const BAD_FRAMES: [name: string, bytes: Buffer, code: number][] = [
    ['an unmasked frame', hex('81 05 48 65 6c 6c 6f'), 1002],
    ['text that is not UTF-8', maskedFrame(Opcode.TEXT, hex('c3 28')), 1007],
    [
      'fragments that join into bad UTF-8',
      Buffer.concat([
        maskedFrame(Opcode.TEXT, hex('e4 bd'), { fin: false }),
        maskedFrame(Opcode.CONTINUATION, hex('41')),
      ]),
      1007,
    ],
    ['a continuation with no message', maskedFrame(Opcode.CONTINUATION, Buffer.from('x')), 1002],
    [
      'a new message inside a fragmented one',
      Buffer.concat([
        maskedFrame(Opcode.TEXT, Buffer.from('a'), { fin: false }),
        maskedFrame(Opcode.BINARY, Buffer.from('b')),
      ]),
      1002,
    ],
    ['a close body of one byte', maskedFrame(Opcode.CLOSE, hex('03')), 1002],
    ['close code 1005 (never sent)', maskedFrame(Opcode.CLOSE, closeBody(1005, '')), 1002],
    [
      'a close reason that is not UTF-8',
      maskedFrame(Opcode.CLOSE, Buffer.concat([closeBody(1000, ''), hex('ff')])),
      1007,
    ],
    ['a reserved opcode', maskedFrame(0x3, Buffer.alloc(0)), 1002],
    ['a frame that announces 2^40 bytes', hex('82 ff 00 00 01 00 00 00 00 00'), 1009],
    [
      '1025 fragments of one byte',
      Buffer.concat([
        maskedFrame(Opcode.BINARY, hex('00'), { fin: false }),
        ...Array.from({ length: 1024 }, () =>
          maskedFrame(Opcode.CONTINUATION, hex('00'), { fin: false }),
        ),
      ]),
      1009,
    ],
  ];
  it.each(BAD_FRAMES.map(([name, bytes, code]) => ({ name, bytes, code })))(
    'fails the connection on $name with close $code, then ends it',
    async ({ bytes, code }) => {
      const peer = await upgraded();
      await peer.write(bytes);
      expect((await peer.closedWith()).code).toBe(code);
    },
  );

  it('echoes the close of a client that sends no code with an empty close', async () => {
    const peer = await upgraded();
    await peer.write(maskedFrame(Opcode.CLOSE, Buffer.alloc(0)));
    const frames = await peer.frames(1, 'the close');
    expect(frames.map((frame) => [frame.opcode, frame.payload.length])).toEqual([
      [Opcode.CLOSE, 0],
    ]);
    await until(() => peer.ended, 10_000, 'the server to end the connection');
  });

  const GOOD_HEADERS = {
    Host: 'x',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  };
  /** A valid upgrade request, changed by `changes` (undefined drops a header) and `extra` lines. */
  function upgradeRequest(
    changes: Record<string, string | undefined> = {},
    { requestLine = 'GET / HTTP/1.1', extra = [] as string[] } = {},
  ) {
    const headers = Object.entries({ ...GOOD_HEADERS, ...changes }).flatMap(([name, value]) =>
      value === undefined ? [] : [`${name}: ${value}`],
    );
    return [requestLine, ...headers, ...extra, '', ''].join('\r\n');
  }
  it.each([
    ['a POST', upgradeRequest({}, { requestLine: 'POST / HTTP/1.1' }), 'GET <path> HTTP/1.1'],
    ['HTTP/1.0', upgradeRequest({}, { requestLine: 'GET / HTTP/1.0' }), 'GET <path> HTTP/1.1'],
    ['plain text', 'hello there\r\n\r\n', 'GET <path> HTTP/1.1'],
    ['a line with no colon', upgradeRequest({}, { extra: ['oops'] }), 'malformed header line'],
    ['no Host', upgradeRequest({ Host: undefined }), 'missing Host header'],
    ['no Upgrade', upgradeRequest({ Upgrade: undefined }), 'Upgrade must be websocket'],
    [
      'Connection: keep-alive',
      upgradeRequest({ Connection: 'keep-alive' }),
      'must include Upgrade',
    ],
    ['version 8', upgradeRequest({ 'Sec-WebSocket-Version': '8' }), 'Version must be 13'],
    ['no key', upgradeRequest({ 'Sec-WebSocket-Key': undefined }), 'Key must be 16 bytes'],
    [
      'an 8-byte key',
      upgradeRequest({ 'Sec-WebSocket-Key': 'AAAAAAAAAAA=' }),
      'Key must be 16 bytes',
    ],
    [
      'two keys',
      upgradeRequest({}, { extra: ['Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=='] }),
      'Key must be 16 bytes',
    ],
    [
      'a head over 8 KiB that never ends',
      `GET / HTTP/1.1\r\nX-Filler: ${'a'.repeat(9000)}`,
      'head too long',
    ],
  ])('answers a request with %s with 400 Bad Request and closes', async (_name, text, reason) => {
    const peer = await RawPeer.connect(server.port);
    peers.push(peer);
    await peer.write(Buffer.from(text));
    const response = await peer.everything();
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(response).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    expect(response.split('\r\n\r\n')[1]).toContain(reason);
  });

  it('accepts header names in any case, and lists in Upgrade and Connection', async () => {
    const peer = await RawPeer.connect(server.port);
    peers.push(peer);
    const text = upgradeRequest({ Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' });
    await peer.write(Buffer.from(text.replace(/^[\w-]+(?=:)/gm, (name) => name.toLowerCase())));
    expect(await peer.head()).toBe(RFC_RESPONSE);
  });

  it('keeps serving after connections full of random bytes', async () => {
    for (let run = 0; run < 30; run++) {
      const peer = await upgraded(randomBytes(1 + (run % 7) * 20));
      peer.destroy();
    }
    const client = await openWs(server.port);
    client.ws.send('still here');
    const [echo] = await until(
      () => client.received.length > 0 && client.received,
      10_000,
      'the echo',
    );
    expect(echo?.data.toString()).toBe('still here');
    client.ws.close();
  });
});

describe('the closing handshake', () => {
  it('destroys the socket of a peer that keeps sending after the close, once closeTimeoutMs has passed', async () => {
    const server = await startMinimalServer({ port: 0, closeTimeoutMs: 200 });
    const serverSide = new Promise<Socket>((resolve) => server.server.once('connection', resolve));
    // allowHalfOpen: the client's end stays writable after the server ends its own.
    const client = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    client.on('error', () => {}); // a write after the server destroyed its end is reset
    let received = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    let trickle: NodeJS.Timeout | undefined;
    try {
      await within(once(client, 'connect'), 10_000, 'a TCP connection');
      const socket = await within(serverSide, 10_000, 'the server side of the connection');
      const closed = once(socket, 'close');
      client.write(RFC_REQUEST);
      await until(() => received.includes(RFC_RESPONSE), 10_000, 'the 101 response');
      client.write(maskedFrame(Opcode.CLOSE, closeBody(1000, 'bye')));
      const echoedClose = encodeFrame(Opcode.CLOSE, closeBody(1000, 'bye'));
      await until(() => received.includes(echoedClose), 10_000, 'the server’s close frame');
      // A byte every 50 ms: the socket is never idle, so an idle timeout would never fire.
      trickle = setInterval(() => client.write(Buffer.from([0])), 50);
      await within(
        closed,
        5_000,
        'the server to destroy a socket whose peer keeps sending after the close',
      );
    } finally {
      clearInterval(trickle);
      client.destroy();
      await server.close();
    }
  });
});

describe.runIf(shouldRunBrowserTests())('in Chromium', () => {
  let server: MinimalServer;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startMinimalServer({ port: 0 });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('echoes text and an ArrayBuffer to a page, which then closes with 1000', async () => {
    if (!browser) throw new Error('Chromium did not start');
    const page = await browser.newPage();
    const html = readFileSync(new URL('fixtures/minimal-echo.html', import.meta.url), 'utf8');
    await page.setContent(html);
    const result = await page.evaluate(
      `echoTwice(${JSON.stringify(`ws://127.0.0.1:${server.port}/`)})`,
    );
    expect(result).toEqual({
      messages: ['hello from Chromium, 你好', [0, 1, 254, 255]],
      code: 1000,
      reason: 'done',
      wasClean: true,
    });
  }, 30_000);
});

/** Every process below `pid`, from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited while we looked
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift() ?? 0) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('from the command line', () => {
  const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
  const FILE = fileURLToPath(new URL('../src/plain/minimal-server.ts', import.meta.url));
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints where it listens, echoes, and on SIGINT closes clients with 1001, exits 0 and leaves nothing running', async () => {
    const run = spawn(TSX, [FILE, '--host', '127.0.0.1', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = run;
    const output = { stdout: '', stderr: '' };
    run.stdout?.on('data', (chunk) => {
      output.stdout += chunk;
    });
    run.stderr?.on('data', (chunk) => {
      output.stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      run.once('exit', (code) => resolve(code)),
    );
    const match = await until(
      () => output.stdout.match(/^listening on ws:\/\/127\.0\.0\.1:(\d+)\/\n/),
      30_000,
      `the "listening on" line (stdout so far: ${JSON.stringify(output.stdout)})`,
    );
    const port = Number(match[1]);
    const client = await openWs(port);
    client.ws.send('over the command line');
    const [echo] = await until(
      () => client.received.length > 0 && client.received,
      10_000,
      'the echo',
    );
    expect(echo?.data.toString()).toBe('over the command line');

    // tsx runs the server in a child process of its own; both must be gone at the end.
    const family = existsSync('/proc/self/stat') && run.pid ? descendantsOf(run.pid) : [];
    if (existsSync('/proc/self/stat'))
      expect(family.length, 'processes under tsx').toBeGreaterThan(0);
    run.kill('SIGINT');
    expect(await within(client.closed, 10_000, 'the client to be closed')).toEqual({
      code: 1001,
      reason: 'server shutting down',
    });
    expect(await within(exited, 10_000, 'the process to exit after SIGINT')).toBe(0);
    expect(output.stdout).toBe(`listening on ws://127.0.0.1:${port}/\n`);
    expect(output.stderr).toBe('');
    for (const pid of family)
      await until(() => !isRunning(pid), 10_000, `process ${pid} (started by tsx) to exit`);
    const refused = await within(
      new Promise<string>((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => resolve('connected'));
        probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      }),
      10_000,
      'a connection attempt to be refused',
    );
    expect(refused).toBe('ECONNREFUSED');
  }, 60_000);
});
