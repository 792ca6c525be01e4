/**
 * permessage-deflate against the `ws` package, both directions, over loopback TCP: context
 * takeover on and off, window bits 8–15 on both sides, many messages per connection. A relay
 * counts the bytes on the wire, so "compressed" is measured, not assumed. Then the failures:
 * answers that break RFC 7692 §7.1, offers that are declined, RSV1 without an agreement, and a
 * zip bomb.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createTcpServer, type Server } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import {
  computeAcceptKey,
  connect,
  encodeFrame,
  Opcode,
  type WebSocketConnection,
} from '../src/index.ts';
import { clientFrame, framesIn } from './helpers.ts';
import { rawConnect, startCountingRelay, startServer, statusOf } from './tcp-helpers.ts';

const MiB = 1024 * 1024;
const BITS = [9, 10, 11, 12, 13, 14, 15];

/**
 * The messages of one conversation: JSON-like text that repeats within and across messages
 * (what context takeover is for), a large compressible text, incompressible bytes, then a
 * message that starts with those same bytes and compresses, and a message under the default
 * threshold.
 */
function conversation(): Array<string | Buffer> {
  const messages: Array<string | Buffer> = [];
  for (let i = 0; i < 60; i++) {
    const moves = Array.from({ length: 20 }, (_, k) => ({
      player: `player-${(i * 7 + k) % 31}`,
      x: (i * 13 + k * 7) % 500,
      y: (i * 17 + k * 3) % 500,
    }));
    messages.push(JSON.stringify({ seq: i, moves }));
  }
  messages.push(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ id: i, ok: true }))));
  // Our side sends the noise as it is (it would not shrink), so neither window takes it in.
  // The next message repeats its last 200 bytes: a sender whose window wrongly held the noise
  // would refer back into it (200 bytes back is inside every window, 8 bits or more), and the
  // peer would inflate something else, or fail.
  const noise = randomBytes(8 * 1024);
  messages.push(noise);
  messages.push(Buffer.concat([noise.subarray(-200), Buffer.from(messages[59] as string)]));
  messages.push('short');
  return messages;
}

function totalBytes(messages: ReadonlyArray<string | Buffer>): number {
  return messages.reduce(
    (sum, m) => sum + (typeof m === 'string' ? Buffer.byteLength(m) : m.length),
    0,
  );
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Sends every message through `send` and resolves with the echoes, in order. */
function echoAll(
  messages: ReadonlyArray<string | Buffer>,
  send: (message: string | Buffer) => void,
  onMessage: (listener: (data: string | Buffer) => void) => void,
): Promise<Array<string | Buffer>> {
  return new Promise((resolve) => {
    const echoes: Array<string | Buffer> = [];
    onMessage((data) => {
      echoes.push(data);
      if (echoes.length === messages.length) resolve(echoes);
    });
    for (const message of messages) send(message);
  });
}

describe('our server with a ws client', () => {
  async function run(
    serverDeflate: Parameters<typeof startServer>[0],
    clientDeflate: WebSocket.PerMessageDeflateOptions,
  ) {
    const { server, port } = await startServer({ ...serverDeflate });
    server.on('connection', (conn) => conn.on('message', (data) => conn.send(data)));
    cleanups.push(() => server.close());
    const relay = await startCountingRelay(port);
    cleanups.push(() => relay.close());
    const ws = new WebSocket(relay.url, { perMessageDeflate: { threshold: 0, ...clientDeflate } });
    cleanups.push(() => ws.terminate());
    const answer = new Promise<string | undefined>((resolve) =>
      ws.once('upgrade', (response) => resolve(response.headers['sec-websocket-extensions'])),
    );
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const messages = conversation();
    const echoes = await echoAll(
      messages,
      (message) => ws.send(message),
      (listener) =>
        ws.on('message', (data, isBinary) =>
          listener(isBinary ? (data as Buffer) : (data as Buffer).toString()),
        ),
    );
    expect(echoes).toEqual(messages);
    const sent = totalBytes(messages);
    return { answer: await answer, up: relay.bytes.up / sent, down: relay.bytes.down / sent };
  }

  test.each(BITS)('window bits %i both ways, context takeover on', async (bits) => {
    const { answer, up, down } = await run(
      { perMessageDeflate: { serverMaxWindowBits: 15, clientMaxWindowBits: bits, threshold: 0 } },
      { serverMaxWindowBits: bits },
    );
    expect(answer).toBe(
      `permessage-deflate; server_max_window_bits=${bits}; client_max_window_bits=${bits}`,
    );
    // Both directions compressed: the 1.3 MiB conversation takes a small part of it on the wire.
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  test.each(BITS)('window bits %i both ways, context takeover off', async (bits) => {
    const { answer, up, down } = await run(
      {
        perMessageDeflate: {
          serverMaxWindowBits: 15,
          clientMaxWindowBits: bits,
          clientNoContextTakeover: true,
          threshold: 0,
        },
      },
      { serverMaxWindowBits: bits, serverNoContextTakeover: true },
    );
    expect(answer).toBe(
      `permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=${bits}; client_max_window_bits=${bits}`,
    );
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  test('window bits 8 both ways (Node compresses with 9, whose back-references fit 8)', async () => {
    const { answer } = await run(
      { perMessageDeflate: { clientMaxWindowBits: 8 } },
      { serverMaxWindowBits: 8, clientMaxWindowBits: 8 },
    );
    expect(answer).toBe('permessage-deflate; server_max_window_bits=8; client_max_window_bits=8');
  });

  test("ws's default offer is answered with our 13-bit windows, and the conversation compresses", async () => {
    const { answer, up, down } = await run({ perMessageDeflate: { threshold: 0 } }, {});
    expect(answer).toBe('permessage-deflate; client_max_window_bits=13');
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  /** A ws client of a server with `maxPayload` that answers each message with its length. */
  async function measuring(maxPayload: number, clientDeflate: WebSocket.PerMessageDeflateOptions) {
    const { server, url } = await startServer({ perMessageDeflate: true, maxPayload });
    server.on('connection', (conn) => conn.on('message', (data) => conn.send(`${data.length}`)));
    cleanups.push(() => server.close());
    const ws = new WebSocket(url, { perMessageDeflate: clientDeflate });
    cleanups.push(() => ws.terminate());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answer = new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve((data as Buffer).toString()));
      ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    return { ws, answer };
  }

  test('takes 1000 KiB of noise from a ws client compressing at zlib memLevel 1, under maxPayload 1 MiB', async () => {
    // memLevel 1: a stored block, with its 5 bytes of header, every 127 bytes of noise.
    const { ws, answer } = await measuring(MiB, {
      threshold: 0,
      zlibDeflateOptions: { memLevel: 1 },
    });
    ws.send(randomBytes(1000 * 1024));
    expect(await answer).toBe(String(1000 * 1024));
  });

  test('takes a message a ws client sends as 2,000 one-byte fragments, each flushed, under maxPayload 8 KiB', async () => {
    // Each fragment is compressed and flushed on its own: 7 bytes on the wire per byte.
    const { ws, answer } = await measuring(8 * 1024, { threshold: 0 });
    for (let i = 0; i < 1999; i++) ws.send('x', { fin: false });
    ws.send('x', { fin: true });
    expect(await answer).toBe('2000');
  });

  test('closes with 1009 a ws client whose message inflates past maxPayload', async () => {
    const { server, url } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    cleanups.push(() => server.close());
    const ws = new WebSocket(url, { perMessageDeflate: true });
    cleanups.push(() => ws.terminate());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('a'.repeat(2 * MiB)); // a few KiB on the wire
    expect(await closed).toBe(1009);
  });
});

describe('a ws server with our client', () => {
  async function run(
    serverDeflate: WebSocket.PerMessageDeflateOptions | false,
    clientDeflate: Parameters<typeof connect>[1],
  ) {
    const wss = new WsServer({ host: '127.0.0.1', port: 0, perMessageDeflate: serverDeflate });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const client of wss.clients) client.terminate();
          wss.close(() => resolve());
        }),
    );
    wss.on('connection', (ws) =>
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })),
    );
    const address = wss.address();
    const relay = await startCountingRelay(
      typeof address === 'object' && address ? address.port : 0,
    );
    cleanups.push(() => relay.close());
    const conn: WebSocketConnection = await connect(relay.url, clientDeflate);
    cleanups.push(() => conn.terminate());
    const messages = conversation();
    const echoes = await echoAll(
      messages,
      (message) => conn.send(message),
      (listener) => conn.on('message', listener),
    );
    expect(echoes).toEqual(messages);
    const sent = totalBytes(messages);
    return {
      extensions: conn.extensions,
      up: relay.bytes.up / sent,
      down: relay.bytes.down / sent,
    };
  }

  test.each(BITS)('window bits %i both ways, context takeover on', async (bits) => {
    const { extensions, up, down } = await run(
      { threshold: 0 },
      {
        perMessageDeflate: { serverMaxWindowBits: bits, clientMaxWindowBits: bits, threshold: 0 },
      },
    );
    expect(extensions).toBe(
      `permessage-deflate; server_max_window_bits=${bits}; client_max_window_bits=${bits}`,
    );
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  test.each(BITS)('window bits %i both ways, context takeover off', async (bits) => {
    const { extensions, up, down } = await run(
      { threshold: 0 },
      {
        perMessageDeflate: {
          serverMaxWindowBits: bits,
          clientMaxWindowBits: bits,
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
          threshold: 0,
        },
      },
    );
    expect(extensions).toBe(
      `permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=${bits}; client_max_window_bits=${bits}`,
    );
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  test('window bits 8 both ways', async () => {
    const { extensions } = await run(
      { threshold: 0 },
      { perMessageDeflate: { serverMaxWindowBits: 8, clientMaxWindowBits: 8, threshold: 0 } },
    );
    expect(extensions).toBe(
      'permessage-deflate; server_max_window_bits=8; client_max_window_bits=8',
    );
  });

  test("our default offer, ws's default answer", async () => {
    const { extensions, up, down } = await run({}, { perMessageDeflate: { threshold: 0 } });
    expect(extensions).toBe('permessage-deflate; client_max_window_bits=13');
    expect(up).toBeLessThan(0.2);
    expect(down).toBeLessThan(0.2);
  });

  test('a ws server that declines gives an uncompressed connection', async () => {
    const { extensions, up } = await run(false, { perMessageDeflate: true });
    expect(extensions).toBe('');
    expect(up).toBeGreaterThan(1);
  });
});

describe('what fails, and what is only declined', () => {
  /** A raw TCP server that answers the upgrade with a 101 carrying `extensions`. */
  async function answering(extensions: string): Promise<{ url: string; closed: Promise<void> }> {
    let onClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (onClosed = resolve));
    const tcp: Server = createTcpServer((socket) => {
      socket.once('data', (chunk) => {
        const key = /sec-websocket-key: (\S+)/i.exec(chunk.toString())?.[1] ?? '';
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${computeAcceptKey(key)}\r\nSec-WebSocket-Extensions: ${extensions}\r\n\r\n`,
        );
      });
      socket.on('close', onClosed);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => tcp.close(() => resolve())));
    const address = tcp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { url: `ws://127.0.0.1:${port}/`, closed };
  }

  test.each([
    [
      'client_max_window_bits without a value',
      'permessage-deflate; client_max_window_bits',
      'WS_ERR_INVALID_EXTENSION',
    ],
    [
      'a window above our offer',
      'permessage-deflate; client_max_window_bits=15',
      'WS_ERR_INVALID_EXTENSION',
    ],
    ['an unknown parameter', 'permessage-deflate; level=9', 'WS_ERR_INVALID_EXTENSION'],
    ['an extension we did not offer', 'x-webkit-deflate-frame', 'WS_ERR_UNEXPECTED_EXTENSION'],
  ])(
    'our client fails the connection on a 101 with %s, and closes the socket',
    async (_, extensions, code) => {
      const server = await answering(extensions);
      await expect(connect(server.url, { perMessageDeflate: true })).rejects.toMatchObject({
        code,
        status: 101,
      });
      await server.closed;
    },
  );

  test('our client without perMessageDeflate fails on a 101 that turns it on', async () => {
    const server = await answering('permessage-deflate');
    await expect(connect(server.url)).rejects.toMatchObject({
      code: 'WS_ERR_UNEXPECTED_EXTENSION',
    });
  });

  /** The raw upgrade request of a client that offers `extensions`. */
  function upgradeOffering(extensions: string): string {
    return [
      'GET / HTTP/1.1',
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      ...(extensions === ''
        ? []
        : extensions.split('\n').map((line) => `Sec-WebSocket-Extensions: ${line}`)),
      '',
      '',
    ].join('\r\n');
  }

  async function upgradeRaw(port: number, extensions: string) {
    const client = await rawConnect(port);
    cleanups.push(() => client.socket.destroy());
    client.socket.write(upgradeOffering(extensions));
    const head = (await client.until((bytes) => bytes.includes('\r\n\r\n'))).toString('latin1');
    return { client, head: head.slice(0, head.indexOf('\r\n\r\n')) };
  }

  test.each([
    [
      'malformed offers only',
      'permessage-deflate; server_max_window_bits=99\npermessage-deflate; foo',
      undefined,
    ],
    [
      'a malformed line, then a good one',
      'permessage-deflate; a="\npermessage-deflate',
      'permessage-deflate',
    ],
    [
      'two header lines of offers',
      'permessage-deflate; server_max_window_bits=7, permessage-deflate; client_max_window_bits\npermessage-deflate',
      'permessage-deflate; client_max_window_bits=13',
    ],
  ])(
    'our server answers %s with 101, declining what it cannot accept',
    async (_, offers, answer) => {
      const { server, port } = await startServer({ perMessageDeflate: true });
      cleanups.push(() => server.close());
      const { head } = await upgradeRaw(port, offers);
      expect(statusOf(Buffer.from(head))).toBe(101);
      const line = head
        .split('\r\n')
        .find((l) => l.toLowerCase().startsWith('sec-websocket-extensions:'));
      expect(line?.slice(line.indexOf(':') + 1).trim()).toBe(answer);
    },
  );

  test('our server fails with 1002 a client that sends RSV1 without having agreed to it', async () => {
    const { server, port } = await startServer({ perMessageDeflate: true });
    cleanups.push(() => server.close());
    const { client } = await upgradeRaw(port, '');
    client.socket.write(
      clientFrame(Opcode.TEXT, Buffer.from('f248cdc9c90700', 'hex'), { rsv1: true }),
    );
    const bytes = await client.closed;
    const frames = framesIn(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4));
    expect(frames.at(-1)?.opcode).toBe(Opcode.CLOSE);
    expect(frames.at(-1)?.payload.readUInt16BE(0)).toBe(1002);
  });

  test('our server stops a 64 MiB zip bomb from a client at maxPayload: 1009, then the socket ends', async () => {
    const { server, port } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    const errors: Error[] = [];
    server.on('connection', (conn) => conn.on('error', (error) => errors.push(error)));
    cleanups.push(() => server.close());
    const { client } = await upgradeRaw(port, 'permessage-deflate');
    const bomb = deflateRawSync(Buffer.alloc(64 * MiB), { finishFlush: constants.Z_SYNC_FLUSH });
    client.socket.write(
      encodeFrame(
        {
          fin: true,
          rsv1: true,
          rsv2: false,
          rsv3: false,
          opcode: Opcode.BINARY,
          payload: bomb.subarray(0, -4),
        },
        Buffer.from([1, 2, 3, 4]),
      ),
    );
    const bytes = await client.closed;
    const frames = framesIn(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4));
    expect(frames.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
    expect(errors.map((error) => (error as { code?: string }).code)).toEqual([
      'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    ]);
  });
});
