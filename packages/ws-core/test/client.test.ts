import { createServer as createTcpServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  connect,
  HandshakeError,
  Protocol,
  truncateReason,
  WebSocketConnection,
  WebSocketError,
  type WebSocketServer,
} from '../src/index.ts';
import { startServer } from './tcp-helpers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A TCP server that does `onSocket` with each connection; closed after the test. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const tcp: Server = createTcpServer((socket) => {
    sockets.add(socket);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => tcp.close(resolve));
  });
  const address = tcp.address();
  return `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
}

async function ourServer(
  options: Parameters<typeof startServer>[0] = {},
): Promise<{ server: WebSocketServer; url: string }> {
  const started = await startServer(options);
  cleanups.push(() => started.server.close());
  return started;
}

describe('connect', () => {
  test('rejects a malformed url with a message that shows a good one, instead of throwing', async () => {
    const attempt = connect('127.0.0.1:1234');
    expect(attempt).toBeInstanceOf(Promise);
    await expect(attempt).rejects.toMatchObject({
      code: 'WS_ERR_INVALID_URL',
      message: 'not a url: "127.0.0.1:1234" (e.g. ws://127.0.0.1:1234/)',
    });
  });

  test('rejects extra headers or subprotocols that would inject lines into the request', async () => {
    const url = 'ws://127.0.0.1:1/';
    await expect(connect(url, { headers: { 'X-Name': 'a\r\nCookie: admin=1' } })).rejects.toThrow(
      'http header X-Name has a control character (CR, LF, …) in its value',
    );
    await expect(connect(url, { headers: { 'Bad Name': 'x' } })).rejects.toMatchObject({
      code: 'WS_ERR_INVALID_HEADER',
      message: 'invalid http header name "Bad Name"',
    });
    await expect(connect(url, { protocols: ['chat\r\nX-Evil: 1'] })).rejects.toHaveProperty(
      'code',
      'WS_ERR_INVALID_SUBPROTOCOL',
    );
    await expect(connect(url, { protocols: ['chat\r\nX-Evil: 1'] })).rejects.toThrow(
      'subprotocol "chat\\r\\nX-Evil: 1" is not a valid token',
    );
  });

  test('rejects tls options that node:tls refuses, instead of throwing', async () => {
    const attempt = connect('wss://127.0.0.1:1/', { tls: { minVersion: 'TLSv9' as 'TLSv1.3' } });
    expect(attempt).toBeInstanceOf(Promise);
    await expect(attempt).rejects.toThrow(/^could not open wss:\/\/127\.0\.0\.1:1\/: /);
    await expect(attempt).rejects.toHaveProperty('code', 'WS_ERR_CONNECT_FAILED');
  });

  test("reports a refusal with its status and the server's own one-line reason", async () => {
    const started = await startServer({ maxConnections: 1, paths: ['/chat'] });
    cleanups.push(() => started.server.close());
    const first = await connect(`${started.url}chat`);
    cleanups.push(() => first.terminate());
    const full = await connect(`${started.url}chat`).catch((error: unknown) => error);
    expect(full).toBeInstanceOf(HandshakeError);
    expect(full).toMatchObject({
      status: 503,
      code: 'WS_ERR_UPGRADE_REFUSED',
      message:
        'server refused the upgrade: 503 Service Unavailable: server is full (1 connections): try again later',
    });
    await expect(connect(`${started.url}lobby`)).rejects.toThrow(
      'server refused the upgrade: 404 Not Found: no websocket endpoint at /lobby: try /chat',
    );
  });

  test('keeps only the first KiB of a long refusal body, with control characters as spaces', async () => {
    const body = `line one\r\n\x1b[31mred${'x'.repeat(5000)}`;
    const url = await tcpServer((socket) =>
      socket.once('data', () =>
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        ),
      ),
    );
    const error = (await connect(url).catch((e: unknown) => e)) as HandshakeError;
    expect(error.status).toBe(403);
    expect(
      error.message.startsWith('server refused the upgrade: 403 Forbidden: line one [31mred'),
    ).toBe(true);
    expect(error.message.length).toBeLessThan(1024 + 100);
  });

  test('rejects a url whose scheme is not ws: or wss:', async () => {
    await expect(connect('http://127.0.0.1:1/')).rejects.toMatchObject({
      code: 'WS_ERR_INVALID_URL',
      message: 'unsupported url scheme http: (use ws: or wss:)',
    });
  });

  test('rejects with a WebSocketError when the server never answers within handshakeTimeout', async () => {
    const url = await tcpServer(() => {}); // accepts, says nothing
    const error = await connect(url, { handshakeTimeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({
      code: 'WS_ERR_HANDSHAKE_TIMEOUT',
      message: 'handshake timed out waiting for the server',
    });
  });

  test('rejects with a WebSocketError when the server hangs up mid-handshake', async () => {
    const url = await tcpServer((socket) => socket.end('HTTP/1.1 101 Swi'));
    await expect(connect(url)).rejects.toMatchObject({
      code: 'WS_ERR_CLOSED_DURING_HANDSHAKE',
      message: 'connection closed during the handshake',
    });
  });

  test("rejects with WS_ERR_CONNECT_FAILED and Node's error as its cause when nothing listens, ws: and wss: alike", async () => {
    const url = await tcpServer(() => {});
    for (const cleanup of cleanups.splice(0)) await cleanup(); // close it: the port is now free
    for (const scheme of ['ws:', 'wss:']) {
      const target = url.replace('ws:', scheme);
      const error = await connect(target).catch((e: unknown) => e);
      expect(error, scheme).toBeInstanceOf(WebSocketError);
      expect(error, scheme).toMatchObject({
        code: 'WS_ERR_CONNECT_FAILED',
        message: expect.stringMatching(
          /^could not open wss?:\/\/127\.0\.0\.1:\d+\/: connect ECONNREFUSED /,
        ),
        cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
      });
    }
  });

  test('rejects with WS_ERR_CLOSED_DURING_HANDSHAKE, the reset as its cause, when the server resets mid-handshake', async () => {
    const url = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const error = await connect(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({
      code: 'WS_ERR_CLOSED_DURING_HANDSHAKE',
      cause: expect.objectContaining({ code: 'ECONNRESET' }),
    });
  });

  test.each([
    ['not HTTP', 'NOT-HTTP garbage\r\n\r\n', 'malformed status line "NOT-HTTP garbage"'],
    [
      'over 8 KiB',
      `HTTP/1.1 101 Switching Protocols\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'response head exceeds 8192 bytes',
    ],
  ])(
    'rejects a response head that is %s with WS_ERR_INVALID_RESPONSE and no status: the server sent none',
    async (_name, response, message) => {
      const url = await tcpServer((socket) => socket.once('data', () => socket.end(response)));
      const error = await connect(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).not.toBeInstanceOf(HandshakeError);
      expect(error).toMatchObject({ code: 'WS_ERR_INVALID_RESPONSE', message });
      expect(error).not.toHaveProperty('status');
    },
  );

  test('rejects an option it cannot use with WS_ERR_INVALID_OPTION, instead of throwing', async () => {
    const attempt = connect('ws://127.0.0.1:1/', { pingInterval: -1 });
    expect(attempt).toBeInstanceOf(Promise);
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({
      code: 'WS_ERR_INVALID_OPTION',
      message: 'pingInterval must be a number of ms (0 turns keepalive off), got -1',
    });
  });

  test('rejects with HandshakeError carrying the status when our server refuses', async () => {
    const { url } = await ourServer({ checkOrigin: () => false });
    const error = await connect(url, { headers: { Origin: 'http://evil.example' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).status).toBe(403);
  });

  test("sends the path and query, and gets our server's subprotocol choice", async () => {
    const { server, url } = await ourServer({ protocols: ['b', 'a'] });
    const paths: string[] = [];
    server.on('connection', (conn) => paths.push(conn.path));
    const conn = await connect(`${url}room/7?nick=ann`, { protocols: ['a', 'b'] });
    expect(conn.protocol).toBe('b');
    expect(conn.path).toBe('/room/7?nick=ann');
    conn.close();
    await new Promise((resolve) => conn.once('close', resolve));
    expect(paths).toEqual(['/room/7?nick=ann']);
  });
});

describe('bufferedAmount and drain', () => {
  test('counts what is waiting to be written and emits drain once it is written', async () => {
    const { server, url } = await ourServer();
    const received = new Promise<number>((resolve) =>
      server.on('connection', (conn) =>
        conn.on('message', (data) => resolve((data as Buffer).length)),
      ),
    );
    const conn = await connect(url);
    expect(conn.bufferedAmount).toBe(0);
    const drained = new Promise<void>((resolve) => conn.once('drain', resolve));
    expect(conn.send(Buffer.alloc(8 * 1024 * 1024))).toBe(true);
    expect(conn.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
    await drained;
    expect(conn.bufferedAmount).toBe(0);
    expect(await received).toBe(8 * 1024 * 1024);
    conn.close();
  });
});

describe('truncateReason', () => {
  test('cuts a reason to 123 bytes without splitting a character', () => {
    const reason = '€'.repeat(50); // 150 bytes
    const cut = truncateReason(reason);
    expect(Buffer.byteLength(cut)).toBe(123);
    expect(cut).toBe('€'.repeat(41));
    expect(truncateReason('short')).toBe('short');
  });
});

describe('WebSocketConnection', () => {
  test('refuses a socket that already carries a connection, since only one of them could hear it', () => {
    const socket = new Socket();
    cleanups.push(() => socket.destroy());
    const first = new WebSocketConnection(socket, new Protocol({ role: 'client' }));
    expect(first.readyState).toBe('open');
    expect(() => new WebSocketConnection(socket, new Protocol({ role: 'client' }))).toThrow(
      new TypeError('this socket already carries a WebSocketConnection: wrap each socket once'),
    );
  });
});
