/**
 * Interop with the `ws` package, both directions: our server with a ws client, and a ws
 * server with our client. Sizes run from 0 B to 16 MiB.
 */
import { createServer as createTcpServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import {
  computeAcceptKey,
  connect,
  HandshakeError,
  Opcode,
  type WebSocketConnection,
  type WebSocketServer,
} from '../src/index.ts';
import { frameOf } from './helpers.ts';
import { startServer } from './tcp-helpers.ts';

const MiB = 1024 * 1024;
const SIZES = [0, 1, 125, 126, 65535, 65536, MiB, 16 * MiB];
// Every code that may be sent (§7.4.1, and 1012–1014 registered with IANA later), and the
// edges of the registered (3000–3999) and private (4000–4999) ranges.
const CLOSE_CODES = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
];

/** A payload whose bytes depend on their position, so a shifted or truncated echo is caught. */
function patterned(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >>> 8)) & 0xff;
  return bytes;
}

describe('our server with a ws client', () => {
  let server: WebSocketServer;
  let url: string;
  const serverCloses: Array<[number, string]> = [];

  beforeAll(async () => {
    ({ server, url } = await startServer({ protocols: ['v2.chat', 'v1.chat'] }));
    server.on('connection', (conn, head) => {
      conn.on('close', (code, reason) => serverCloses.push([code, reason]));
      if (head.target.startsWith('/close/')) {
        const code = Number(head.target.slice('/close/'.length));
        conn.close(code, `server says ${code}`);
        return;
      }
      conn.on('message', (data) => conn.send(data));
      conn.on('ping', () => conn.ping(Buffer.from('server ping')));
    });
  });
  afterAll(() => server.close());

  async function open(
    path = '/',
    options: WebSocket.ClientOptions = {},
    protocols?: string[],
  ): Promise<WebSocket> {
    const ws = new WebSocket(url + path.slice(1), protocols, {
      perMessageDeflate: false,
      ...options,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return ws;
  }

  function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
    return new Promise((resolve) =>
      ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })),
    );
  }

  function closeOf(ws: WebSocket): Promise<[number, string]> {
    return new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
  }

  test.each(SIZES)('echoes a %i-byte binary message', async (size) => {
    const ws = await open();
    const payload = patterned(size);
    const reply = nextMessage(ws);
    ws.send(payload);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(data.equals(payload)).toBe(true);
    ws.close();
  });

  test.each([0, 125, 65536, MiB])('echoes a %i-byte text message as text', async (size) => {
    const ws = await open();
    const text = 'é€😀a'.repeat(Math.ceil(size / 10)).slice(0, size);
    const reply = nextMessage(ws);
    ws.send(text);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe(text);
    ws.close();
  });

  test('assembles a message the ws client sends in fragments', async () => {
    const ws = await open();
    const reply = nextMessage(ws);
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.ping('interleaved');
    ws.send('ted', { fin: true });
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe('fragmented');
    ws.close();
  });

  test("answers the ws client's ping with the same payload, and its pings are answered", async () => {
    const ws = await open();
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    const serverPingAnswered = new Promise<Buffer>((resolve) => ws.once('ping', resolve));
    ws.ping('ping payload');
    expect((await pong).toString()).toBe('ping payload');
    expect((await serverPingAnswered).toString()).toBe('server ping');
    ws.close();
  });

  test.each(CLOSE_CODES)(
    'passes close code %i from the ws client to the server and back',
    async (code) => {
      const ws = await open();
      const closed = closeOf(ws);
      const before = serverCloses.length;
      ws.close(code, `client says ${code}`);
      expect(await closed).toEqual([code, '']);
      await expect
        .poll(() => serverCloses.slice(before))
        .toContainEqual([code, `client says ${code}`]);
    },
  );

  test.each(CLOSE_CODES)('passes close code %i from the server to the ws client', async (code) => {
    const ws = new WebSocket(`${url}close/${code}`, { perMessageDeflate: false });
    expect(await closeOf(ws)).toEqual([code, `server says ${code}`]);
  });

  test('gives a ws client offering permessage-deflate a plain connection', async () => {
    const ws = await open('/', { perMessageDeflate: true });
    expect(ws.extensions).toBe('');
    const payload = Buffer.alloc(10_000, 'a');
    const reply = nextMessage(ws);
    ws.send(payload);
    expect((await reply).data.equals(payload)).toBe(true);
    ws.close();
  });

  test("negotiates the server's preferred subprotocol", async () => {
    const ws = await open('/', {}, ['v1.chat', 'v2.chat', 'v3.chat']);
    expect(ws.protocol).toBe('v2.chat');
    ws.close();
  });

  test('reports a failure once: a 4 MiB message over maxPayload 1 MiB gives one error, then close 1009', async () => {
    const limited = await startServer({ maxPayload: MiB });
    try {
      const errors: Error[] = [];
      const closed = new Promise<number>((resolve) =>
        limited.server.on('connection', (conn) => {
          conn.on('error', (error) => errors.push(error));
          conn.on('close', (code) => resolve(code));
        }),
      );
      const ws = new WebSocket(limited.url, { perMessageDeflate: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      // The rest of the message keeps arriving, read after read, once the header was refused.
      ws.send(Buffer.alloc(4 * MiB));
      expect(await closed).toBe(1009);
      expect(errors.map((error) => (error as { code?: string }).code)).toEqual([
        'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      ]);
      ws.terminate();
    } finally {
      await limited.server.close();
    }
  });
});

describe('a ws server with our client', () => {
  let wss: WsServer;
  let url: string;
  const received: Array<{ data: Buffer; isBinary: boolean }> = [];
  const wsCloses: Array<[number, string]> = [];

  beforeAll(async () => {
    wss = new WsServer({
      host: '127.0.0.1',
      port: 0,
      maxPayload: 64 * MiB,
      handleProtocols: (protocols) => (protocols.has('b') ? 'b' : false),
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    const address = wss.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    wss.on('connection', (ws, request) => {
      ws.on('close', (code, reason) => wsCloses.push([code, reason.toString()]));
      ws.on('message', (data, isBinary) => {
        received.push({ data: data as Buffer, isBinary });
        ws.send(data, { binary: isBinary });
      });
      const path = request.url ?? '/';
      if (path === '/fragments') {
        ws.send('one ', { fin: false });
        ws.ping('mid');
        ws.send('two ', { fin: false });
        ws.send('three', { fin: true });
      } else if (path.startsWith('/close/')) {
        const code = Number(path.slice('/close/'.length));
        ws.close(code, `ws says ${code}`);
      } else if (path === '/ping') {
        ws.ping('from ws');
      }
    });
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );

  function nextMessage(
    conn: WebSocketConnection,
  ): Promise<{ data: string | Buffer; isBinary: boolean }> {
    return new Promise((resolve) =>
      conn.once('message', (data, isBinary) => resolve({ data, isBinary })),
    );
  }

  function closeOf(conn: WebSocketConnection): Promise<[number, string]> {
    return new Promise((resolve) => conn.once('close', (code, reason) => resolve([code, reason])));
  }

  test.each(SIZES)('gets a %i-byte binary message echoed', async (size) => {
    const conn = await connect(url);
    const payload = patterned(size);
    const reply = nextMessage(conn);
    conn.send(payload);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(Buffer.isBuffer(data) && data.equals(payload)).toBe(true);
    conn.close();
  });

  test.each([0, 125, 65536, MiB])('gets a %i-byte text message echoed as text', async (size) => {
    const conn = await connect(url);
    const text = '€a😀'.repeat(size).slice(0, size);
    const reply = nextMessage(conn);
    conn.send(text);
    expect(await reply).toEqual({ data: text, isBinary: false });
    conn.close();
  });

  test('assembles a message the ws server sends in fragments with a ping between', async () => {
    const conn = await connect(`${url}fragments`);
    const ping = new Promise<Buffer>((resolve) => conn.once('ping', resolve));
    expect(await nextMessage(conn)).toEqual({ data: 'one two three', isBinary: false });
    expect((await ping).toString()).toBe('mid');
    conn.close();
  });

  test('sends a fragmented message the ws server assembles', async () => {
    const conn = await connect(url);
    const reply = nextMessage(conn);
    conn.sendFrame(frameOf(Opcode.BINARY, Buffer.from([1, 2]), { fin: false }));
    conn.ping(Buffer.from('between'));
    conn.sendFrame(frameOf(Opcode.CONTINUATION, Buffer.from([3]), { fin: true }));
    const { data } = await reply;
    expect(data).toEqual(Buffer.from([1, 2, 3]));
    conn.close();
  });

  test('answers the ws server ping with a pong, and gets its own ping answered', async () => {
    const conn = await connect(`${url}ping`);
    const serverPing = new Promise<Buffer>((resolve) => conn.once('ping', resolve));
    expect((await serverPing).toString()).toBe('from ws');
    const pong = new Promise<Buffer>((resolve) => conn.once('pong', resolve));
    conn.ping(Buffer.from('from us'));
    expect((await pong).toString()).toBe('from us');
    conn.close();
  });

  test.each(CLOSE_CODES)(
    'passes close code %i from our client to the ws server and back',
    async (code) => {
      const conn = await connect(url);
      const closed = closeOf(conn);
      const before = wsCloses.length;
      conn.close(code, `we say ${code}`);
      expect((await closed)[0]).toBe(code); // ws echoes the code (and, unlike us, the reason)
      await expect.poll(() => wsCloses.slice(before)).toContainEqual([code, `we say ${code}`]);
    },
  );

  test.each(CLOSE_CODES)('receives close code %i from the ws server', async (code) => {
    const conn = await connect(`${url}close/${code}`);
    expect(await closeOf(conn)).toEqual([code, `ws says ${code}`]);
  });

  test('masks every frame it sends (ws would reject unmasked ones)', async () => {
    const conn = await connect(url);
    const reply = nextMessage(conn);
    conn.send('masked');
    expect(await reply).toEqual({ data: 'masked', isBinary: false });
    expect(received.at(-1)?.data.toString()).toBe('masked');
    conn.close();
  });

  test('gets the subprotocol the ws server chose', async () => {
    const conn = await connect(url, { protocols: ['a', 'b'] });
    expect(conn.protocol).toBe('b');
    conn.close();
  });
});

describe('our client against odd servers', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** A raw TCP server that answers the first read with `answer`; closed after each test. */
  async function rawServer(answer: (key: string) => Buffer | string): Promise<{ url: string }> {
    const tcp = createTcpServer((socket) => {
      socket.once('data', (chunk) => {
        const key = /sec-websocket-key: (\S+)/i.exec(chunk.toString())?.[1] ?? '';
        socket.end(answer(key));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    servers.push(tcp);
    const address = tcp.address();
    return { url: `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` };
  }

  test('rejects a wrong Sec-WebSocket-Accept with a HandshakeError', async () => {
    const server = await rawServer(
      () =>
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n',
    );
    await expect(connect(server.url)).rejects.toThrow(HandshakeError);
  });

  test('keeps a frame that arrives in the same read as the 101', async () => {
    const server = await rawServer((key) =>
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`,
        ),
        Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
      ]),
    );
    const conn = await connect(server.url);
    const message = await new Promise((resolve) => conn.once('message', resolve));
    expect(message).toBe('Hello');
    conn.terminate();
  });
});
