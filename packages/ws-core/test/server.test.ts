import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  WebSocketConnection as Connection,
  connect,
  createServer,
  type HttpResponse,
  Opcode,
  Protocol,
  ProtocolError,
  type WebSocketConnection,
  type WebSocketServer,
  WRITE_SLICE,
} from '../src/index.ts';
import { clientFrame, closePayload, framesIn } from './helpers.ts';
import { rawConnect, rawUpgrade, startServer, statusOf, UPGRADE_REQUEST } from './tcp-helpers.ts';

const servers: WebSocketServer[] = [];
const sockets: Socket[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** vi.waitFor polls every 50 ms; its 1 s default is too short for a loaded 2-core machine. */
const WAIT = { timeout: 10_000 };

async function serve(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer({ closeTimeout: 500, ...options });
  servers.push(started.server);
  return started;
}

describe('the handshake over TCP', () => {
  test('upgrades a request whose head arrives in many small reads', async () => {
    const { port } = await serve();
    const client = await rawConnect(port);
    sockets.push(client.socket);
    client.socket.setNoDelay(true);
    for (let at = 0; at < UPGRADE_REQUEST.length; at += 7) {
      client.socket.write(UPGRADE_REQUEST.slice(at, at + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const bytes = await client.until((b) => b.includes('\r\n\r\n'));
    expect(bytes.toString()).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(statusOf(bytes)).toBe(101);
  });

  test('answers 431 to a request head over the limit and closes', async () => {
    const { port } = await serve({ maxHeaderBytes: 1024 });
    const client = await rawConnect(port);
    client.socket.write(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
    const bytes = await client.closed;
    expect(statusOf(bytes)).toBe(431);
    expect(bytes.toString()).toContain('request head exceeds 1024 bytes');
  });

  test('closes a handshake trickled slower than handshakeTimeout with 408', async () => {
    const { port } = await serve({ handshakeTimeout: 300 });
    const client = await rawConnect(port);
    let stop = false;
    const trickle = async () => {
      for (let at = 0; !stop && at < UPGRADE_REQUEST.length; at++) {
        if (!client.socket.destroyed) client.socket.write(UPGRADE_REQUEST[at] ?? '');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    void trickle();
    const bytes = await client.closed;
    stop = true;
    expect(statusOf(bytes)).toBe(408);
  });

  test('answers a plain GET with 426 when there is no onHttpRequest hook', async () => {
    const { port } = await serve();
    const client = await rawConnect(port);
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const bytes = await client.closed;
    expect(statusOf(bytes)).toBe(426);
    expect(bytes.toString()).toContain('Upgrade: websocket');
  });

  test('serves plain GETs through onHttpRequest, and 404 when it returns undefined', async () => {
    const { port } = await serve({
      onHttpRequest: (head) =>
        head.target === '/'
          ? { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<h1>hi</h1>' }
          : undefined,
    });
    const page = await rawConnect(port);
    page.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const bytes = await page.closed;
    expect(statusOf(bytes)).toBe(200);
    expect(bytes.toString()).toMatch(/Content-Length: 11\r\n[\s\S]*\r\n\r\n<h1>hi<\/h1>$/);
    const missing = await rawConnect(port);
    missing.socket.write('GET /nope HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(await missing.closed)).toBe(404);
  });

  test('answers 500, never a split response, when onHttpRequest returns a bad status or header', async () => {
    const { server, port } = await serve({
      onHttpRequest: (head) =>
        head.target === '/split'
          ? { status: 200, headers: { 'X-Name': 'a\r\nSet-Cookie: stolen=1' }, body: 'x' }
          : { status: 101, body: '' },
    });
    const errors: string[] = [];
    server.on('error', (error) => errors.push(error.message));
    for (const path of ['/split', '/switch']) {
      const page = await rawConnect(port);
      page.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const bytes = await page.closed;
      expect(statusOf(bytes)).toBe(500);
      expect(bytes.toString()).not.toContain('Set-Cookie');
    }
    expect(errors).toEqual([
      'http header X-Name has a control character (CR, LF, …) in its value',
      'http status must be a whole number from 200 to 599, got 101',
    ]);
  });

  test('answers 500 when onHttpRequest sets framing headers of its own or gives a 204 a body', async () => {
    const responses: Record<string, HttpResponse> = {
      '/length': { status: 200, headers: { 'content-length': '3' }, body: 'hello' },
      '/chunked': { status: 200, headers: { 'Transfer-Encoding': 'chunked' }, body: 'hello' },
      '/keep': { status: 200, headers: { Connection: 'keep-alive' }, body: 'hello' },
      '/empty': { status: 204, body: 'not empty' },
    };
    const { server, port } = await serve({ onHttpRequest: (head) => responses[head.target] });
    const errors: string[] = [];
    server.on('error', (error) => errors.push(error.message));
    for (const path of Object.keys(responses)) {
      const page = await rawConnect(port);
      page.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(statusOf(await page.closed)).toBe(500);
    }
    expect(errors).toEqual([
      'http header content-length is set by the server: leave it out',
      'http header Transfer-Encoding is set by the server: leave it out',
      'http header Connection is set by the server: leave it out',
      'a 204 response has no body, got 9 bytes',
    ]);
    // A 204 without a body is fine, and carries no Content-Length (RFC 9110 §8.6).
    responses['/none'] = { status: 204, body: '' };
    const none = await rawConnect(port);
    none.socket.write('GET /none HTTP/1.1\r\nHost: x\r\n\r\n');
    const bytes = (await none.closed).toString();
    expect(statusOf(Buffer.from(bytes))).toBe(204);
    expect(bytes).not.toMatch(/content-length/i);
  });

  test('answers HEAD like GET, with the same headers and no body (RFC 9110 §9.1)', async () => {
    const { port } = await serve({
      onHttpRequest: () => ({
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<h1>hi</h1>',
      }),
    });
    const probe = await rawConnect(port);
    probe.socket.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
    const bytes = (await probe.closed).toString();
    expect(statusOf(Buffer.from(bytes))).toBe(200);
    expect(bytes).toMatch(/Content-Length: 11\r\n/);
    expect(bytes.endsWith('\r\n\r\n')).toBe(true);
  });

  test('refuses one connection over maxConnections with 503 and Retry-After, before the 101', async () => {
    const { server, port, url } = await serve({ maxConnections: 2 });
    const first = await connect(url);
    const second = await connect(url);
    cleanups.push(
      () => first.terminate(),
      () => second.terminate(),
    );
    const third = await rawConnect(port);
    third.socket.write(UPGRADE_REQUEST);
    const refused = (await third.closed).toString();
    expect(statusOf(Buffer.from(refused))).toBe(503);
    expect(refused).toContain('Retry-After: 5');
    expect(refused).toContain('server is full (2 connections): try again later');
    expect(server.connections.size).toBe(2);
    // A place frees up when someone leaves.
    const left = new Promise((resolve) => first.once('close', resolve));
    first.close();
    await left;
    await vi.waitFor(() => expect(server.connections.size).toBe(1), WAIT);
    const fourth = await connect(url);
    cleanups.push(() => fourth.terminate());
    expect(fourth.readyState).toBe('open');
  });

  test('answers 426 with Sec-WebSocket-Version: 13 to version 8', async () => {
    const { port } = await serve();
    const client = await rawConnect(port);
    client.socket.write(UPGRADE_REQUEST.replace('Version: 13', 'Version: 8'));
    const bytes = await client.closed;
    expect(statusOf(bytes)).toBe(426);
    expect(bytes.toString()).toContain('Sec-WebSocket-Version: 13');
  });

  test('answers 403 when checkOrigin refuses', async () => {
    const { port } = await serve({ checkOrigin: (origin) => origin === 'http://ok.example' });
    const client = await rawConnect(port);
    client.socket.write(
      UPGRADE_REQUEST.replace('\r\n\r\n', '\r\nOrigin: http://evil.example\r\n\r\n'),
    );
    expect(statusOf(await client.closed)).toBe(403);
  });

  test('refuses an upgrade to a path outside `paths` with 404 and a text body, before any 101', async () => {
    const { server, port } = await serve({ paths: ['/chat'] });
    let upgraded = 0;
    server.on('connection', () => upgraded++);
    const client = await rawConnect(port);
    client.socket.write(UPGRADE_REQUEST.replace('GET /raw', 'GET /elsewhere?x=1'));
    const bytes = await client.closed;
    expect(statusOf(bytes)).toBe(404);
    expect(bytes.toString()).toMatch(/\r\n\r\nno websocket endpoint at \/elsewhere: try \/chat\n$/);
    const listed = await rawConnect(port);
    sockets.push(listed.socket);
    listed.socket.write(UPGRADE_REQUEST.replace('GET /raw', 'GET /chat?nick=a'));
    expect(statusOf(await listed.until((b) => b.includes('\r\n\r\n')))).toBe(101);
    expect(upgraded).toBe(1);
  });

  test('keeps an upgraded connection open after handshakeTimeout has passed', async () => {
    // Long enough for the first client's handshake on a loaded machine: it must get its 101.
    const { server, port } = await serve({ handshakeTimeout: 2_000 });
    server.on('connection', (conn) => conn.on('message', (data) => conn.send(data)));
    const client = await rawUpgrade(port);
    sockets.push(client.socket);
    // A second opening that never finishes started after the first was upgraded, so its
    // deadline is later: once it has been refused, a timer left over from the first had fired.
    const later = await rawConnect(port);
    expect(statusOf(await later.closed)).toBe(408);
    client.socket.write(clientFrame(Opcode.TEXT, 'still here'));
    await client.until((bytes) => bytes.includes('still here'));
    expect(framesIn(client.afterHead())).toEqual([
      { opcode: Opcode.TEXT, payload: Buffer.from('still here') },
    ]);
  });

  test('answers 500 when an application hook throws, reports it, and keeps serving', async () => {
    const { server, port } = await serve({
      checkOrigin: (origin) => {
        if (origin === 'http://crash.example') throw new Error('origin table is gone');
        return true;
      },
      onHttpRequest: () => {
        throw new Error('page renderer is gone');
      },
    });
    const errors: string[] = [];
    server.on('error', (error) => errors.push(error.message));
    const upgrade = await rawConnect(port);
    upgrade.socket.write(
      UPGRADE_REQUEST.replace('\r\n\r\n', '\r\nOrigin: http://crash.example\r\n\r\n'),
    );
    const refused = await upgrade.closed;
    expect(statusOf(refused)).toBe(500);
    expect(refused.toString()).toMatch(/\r\n\r\ninternal server error\n$/); // no details leak
    const page = await rawConnect(port);
    page.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(await page.closed)).toBe(500);
    expect(errors).toEqual(['origin table is gone', 'page renderer is gone']);
    const fine = await rawUpgrade(port);
    sockets.push(fine.socket);
    expect(statusOf(fine.received())).toBe(101);
  });

  test('processes frames that arrive in the same read as the request head', async () => {
    const { server, port } = await serve();
    const messages: string[] = [];
    server.on('connection', (conn) => conn.on('message', (data) => messages.push(String(data))));
    const client = await rawConnect(port);
    sockets.push(client.socket);
    client.socket.write(
      Buffer.concat([Buffer.from(UPGRADE_REQUEST), clientFrame(Opcode.TEXT, 'early')]),
    );
    await vi.waitFor(() => expect(messages).toEqual(['early']), WAIT);
  });
});

describe('what an idle connection keeps', () => {
  /** The server's side of the one connection: the socket the WebSocketConnection drives. */
  const serverSocketOf = (connection: WebSocketConnection) =>
    (connection as unknown as { socket: Socket }).socket;

  test('keeps no listener of the opening on an upgraded socket: its parser, head and deadline timer can go', async () => {
    const { server, port } = await serve();
    const upgraded = new Promise<WebSocketConnection>((resolve) =>
      server.once('connection', resolve),
    );
    sockets.push((await rawUpgrade(port)).socket);
    const socket = serverSocketOf(await upgraded);
    // Only the connection's own: one each for data and close. 'error' also has the opening's
    // shared destroyOnError, a plain function that holds nothing.
    expect(socket.listenerCount('data')).toBe(1);
    expect(socket.listenerCount('close')).toBe(1);
    expect(socket.listeners('error').map((listener) => listener.name)).toContain('destroyOnError');
    expect(socket.listenerCount('error')).toBe(2);
  });
});

describe('listening', () => {
  test('rejects listen() on a busy port instead of crashing with an unhandled error', async () => {
    const { port } = await serve();
    const second = createServer({ host: '127.0.0.1', port });
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('connections over TCP', () => {
  test.each([
    ['an unmasked client frame', Buffer.from([0x81, 0x02, 0x68, 0x69]), 1002],
    ['invalid UTF-8', clientFrame(Opcode.TEXT, Buffer.from([0xc3, 0x28])), 1007],
    ['a message over maxPayload', clientFrame(Opcode.BINARY, Buffer.alloc(2000)), 1009],
  ])(
    'answers %s with a close frame carrying the code, then ends TCP',
    async (_name, bytes, code) => {
      const { server, port } = await serve({ maxPayload: 1000 });
      const closes: Array<[number, string]> = [];
      const errors: Error[] = [];
      server.on('connection', (conn) => {
        conn.on('error', (error) => errors.push(error));
        conn.on('close', (c, reason) => closes.push([c, reason]));
      });
      const client = await rawUpgrade(port);
      client.socket.write(bytes);
      await client.closed;
      const [close] = framesIn(client.afterHead());
      expect(close?.opcode).toBe(Opcode.CLOSE);
      expect(close?.payload.readUInt16BE(0)).toBe(code);
      await vi.waitFor(() => expect(closes).toHaveLength(1), WAIT);
      expect(closes[0]?.[0]).toBe(code);
      expect(errors[0]).toBeInstanceOf(ProtocolError);
    },
  );

  test('answers a ping with a pong and echoes the close code of a client close', async () => {
    const { server, port } = await serve();
    const closes: Array<[number, string]> = [];
    server.on('connection', (conn) =>
      conn.on('close', (code, reason) => closes.push([code, reason])),
    );
    const client = await rawUpgrade(port);
    client.socket.write(clientFrame(Opcode.PING, 'hello?'));
    client.socket.write(clientFrame(Opcode.CLOSE, closePayload(4001, 'done')));
    await client.closed;
    const frames = framesIn(client.afterHead());
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.PONG, Opcode.CLOSE]);
    expect(frames[0]?.payload.toString()).toBe('hello?');
    expect(frames[1]?.payload.readUInt16BE(0)).toBe(4001);
    await vi.waitFor(() => expect(closes).toEqual([[4001, 'done']]), WAIT);
  });

  test('ignores a reply to a message that arrived in the same read as the peer close', async () => {
    const { server, port } = await serve();
    const replies: boolean[] = [];
    server.on('connection', (conn) => conn.on('message', (data) => replies.push(conn.send(data))));
    const client = await rawUpgrade(port);
    client.socket.write(
      Buffer.concat([
        clientFrame(Opcode.TEXT, 'last words'),
        clientFrame(Opcode.CLOSE, closePayload(1000)),
      ]),
    );
    await client.closed;
    expect(replies).toEqual([false]);
    expect(framesIn(client.afterHead()).map((f) => f.opcode)).toEqual([Opcode.CLOSE]);
  });

  /** A server that closes (1000, 'bye') every connection at once; `closed` is what it reports. */
  async function serveClosingFirst(
    closeTimeout: number,
    check?: (conn: WebSocketConnection) => void,
  ) {
    const { server, port } = await serve({ closeTimeout });
    const closed = new Promise<[number, string]>((resolve) =>
      server.on('connection', (conn) => {
        conn.on('close', (code, reason) => resolve([code, reason]));
        conn.close(1000, 'bye');
        check?.(conn);
      }),
    );
    return { port, closed };
  }

  test('waits for a peer that answers our close late, and reports the code it answered with', async () => {
    const { port, closed } = await serveClosingFirst(10_000);
    const client = await rawUpgrade(port);
    await client.until(() => framesIn(client.afterHead()).length > 0);
    expect(framesIn(client.afterHead())[0]?.payload.readUInt16BE(0)).toBe(1000);
    // A server that gave up at once (or after a tick) would report 1006 and reset us.
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.socket.write(clientFrame(Opcode.CLOSE, closePayload(4002, 'late')));
    expect(await closed).toEqual([4002, 'late']);
    await client.closed; // the server ended TCP after the handshake completed
  });

  test('destroys the socket when the peer never answers our close', async () => {
    let state = '';
    let lateSend: boolean | undefined;
    const { port, closed } = await serveClosingFirst(200, (conn) => {
      state = conn.readyState;
      lateSend = conn.send('late');
    });
    const client = await rawUpgrade(port);
    sockets.push(client.socket);
    expect(await closed).toEqual([1006, '']);
    expect(state).toBe('closing'); // right after close(): waiting for the peer's close
    expect(lateSend).toBe(false); // nothing more may be sent after our close frame
    await client.closed;
  });

  test('server.close() sends 1001 to every client and stops listening', async () => {
    const { server, port } = await serve();
    const clients = await Promise.all([rawUpgrade(port), rawUpgrade(port)]);
    await vi.waitFor(() => expect(server.connections.size).toBe(2), WAIT);
    for (const client of clients) {
      // Answer the server's close like a polite client would.
      void client
        .until((b) => framesIn(client.afterHead()).length > 0 && b.length > 0)
        .then(() => {
          client.socket.write(clientFrame(Opcode.CLOSE, closePayload(1001)));
        });
    }
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    for (const client of clients) {
      const [close] = framesIn(client.afterHead());
      expect(close?.payload.readUInt16BE(0)).toBe(1001);
    }
    expect(server.connections.size).toBe(0);
    await expect(rawConnect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('writes and backpressure', () => {
  /** A connected pair: our server-side WebSocketConnection over a real socket, and the peer. */
  async function socketPair(): Promise<{
    connection: WebSocketConnection;
    serverSocket: Socket;
    peer: Socket;
  }> {
    const tcp = createTcpServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const address = tcp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const accepted = new Promise<Socket>((resolve) => tcp.once('connection', resolve));
    const peer = (await rawConnect(port)).socket;
    const serverSocket = await accepted;
    const connection = new Connection(serverSocket, new Protocol({ role: 'server' }));
    // Closed after the test by afterEach, whether it passed or not.
    cleanups.push(() => {
      serverSocket.destroy();
      peer.destroy();
      tcp.close();
    });
    return { connection, serverSocket, peer };
  }

  test('sends 16 messages queued in one tick with a single socket write', async () => {
    const pair = await socketPair();
    const write = vi.spyOn(pair.serverSocket, 'write');
    for (let i = 0; i < 16; i++) pair.connection.send(`message ${i}`);
    expect(write).not.toHaveBeenCalled(); // queued until the end of the tick
    await Promise.resolve();
    expect(write).toHaveBeenCalledTimes(1);
    expect(framesIn(write.mock.calls[0]?.[0] as Buffer)).toHaveLength(16);
  });

  test('answers the messages of one read with one write', async () => {
    const pair = await socketPair();
    pair.connection.on('message', (data) => pair.connection.send(data));
    let reads = 0;
    pair.serverSocket.on('data', () => reads++);
    const write = vi.spyOn(pair.serverSocket, 'write');
    const frames = Array.from({ length: 16 }, (_, i) => clientFrame(Opcode.TEXT, `echo ${i}`));
    pair.peer.write(Buffer.concat(frames));
    await vi.waitFor(() => {
      const echoed = write.mock.calls.flatMap((call) => framesIn(call[0] as Buffer));
      expect(echoed).toHaveLength(16);
    }, WAIT);
    expect(write).toHaveBeenCalledTimes(reads); // usually 1 read, so 1 write for 16 echoes
  });

  test('hands a large message to the socket at most WRITE_SLICE bytes per write, so the peer taking each slice shows', async () => {
    const pair = await socketPair();
    const write = vi.spyOn(pair.serverSocket, 'write');
    const payload = 4 * WRITE_SLICE + 100;
    pair.connection.send(Buffer.alloc(payload));
    await vi.waitFor(() => expect(pair.connection.bufferedAmount).toBe(0), WAIT); // all written
    const sizes = write.mock.calls.map((call) => (call[0] as Uint8Array).length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10 + payload); // 64-bit length header
    expect(Math.max(...sizes)).toBeLessThanOrEqual(WRITE_SLICE);
  });

  test('fails the connection with 1008 once a peer that never reads exceeds maxBufferedAmount', async () => {
    const { server, port } = await serve({ maxBufferedAmount: 1024 * 1024 });
    const result = new Promise<{ error: Error | undefined; close: [number, string]; sent: number }>(
      (resolve) =>
        server.on('connection', (conn) => {
          let error: Error | undefined;
          conn.on('error', (e) => (error = e));
          let sent = 0;
          // send() says false once the limit failed the connection; later sends are refused too.
          while (sent < 100 && conn.send(Buffer.alloc(64 * 1024))) sent++;
          expect(conn.send('after')).toBe(false);
          conn.on('close', (code, reason) => resolve({ error, close: [code, reason], sent }));
        }),
    );
    const client = await rawUpgrade(port);
    client.socket.pause(); // never reads
    sockets.push(client.socket);
    const { error, close, sent } = await result;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ closeCode: 1008, code: 'WS_ERR_SEND_BUFFER_FULL' });
    expect(close[0]).toBe(1008);
    expect(close[1]).toMatch(/exceeds maxBufferedAmount 1048576: the peer is not reading/);
    expect(sent).toBeLessThan(20);
  });

  test('stops reading from a client that sends but does not read, so echoes stay bounded', async () => {
    const highWaterMark = 256 * 1024;
    const { server, port } = await serve({ highWaterMark });
    let received = 0;
    let maxBuffered = 0;
    server.on('connection', (conn) =>
      conn.on('message', (data) => {
        received++;
        conn.send(data);
        maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
      }),
    );
    const client = await rawUpgrade(port);
    sockets.push(client.socket);
    client.socket.pause(); // the client stops reading the echoes
    const total = 400; // 25 MiB: more than loopback socket buffers can hold
    const frame = clientFrame(Opcode.BINARY, Buffer.alloc(64 * 1024, 7));
    for (let i = 0; i < total; i++) client.socket.write(frame);
    // The server stops reading once its unsent echoes pass the high-water mark …
    await vi.waitFor(() => expect(maxBuffered).toBeGreaterThan(highWaterMark), WAIT);
    expect(received).toBeLessThan(total);
    // … and reads the rest once the client reads its echoes again: nothing is lost.
    client.socket.resume();
    await vi.waitFor(() => expect(received).toBe(total), { timeout: 20_000 });
    // At most the high-water mark plus the echoes of one socket read (<= 64 KiB of frames).
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + 2 * (64 * 1024 + 14));
  }, 20_000);
});

describe('an application handler that throws', () => {
  /** A client that records its messages and resolves `closed` with the close code and reason. */
  async function client(url: string) {
    const connection = await connect(url);
    const messages: Array<string | Buffer> = [];
    connection.on('message', (data) => messages.push(data));
    const closed = new Promise<[number, string]>((resolve) =>
      connection.on('close', (code, reason) => resolve([code, reason])),
    );
    cleanups.push(() => connection.terminate());
    return { connection, messages, closed };
  }

  test('closes only its own connection with 1011 and reports the error; others carry on', async () => {
    const errors: Error[] = [];
    const { server, url } = await serve();
    server.on('connection', (connection) => {
      connection.on('error', (error) => errors.push(error));
      connection.on('message', (data) => {
        if (data === 'boom') throw new Error('a bug in the game logic');
        connection.send(data);
      });
    });
    const failing = await client(url);
    const healthy = await client(url);
    failing.connection.send('boom');
    expect(await failing.closed).toEqual([1011, 'internal error']);
    expect(errors.map((error) => error.message)).toEqual(['a bug in the game logic']);

    healthy.connection.send('still here?');
    await vi.waitFor(() => expect(healthy.messages).toEqual(['still here?']), WAIT);
    expect(server.connections.size).toBe(1);
  });

  test('with no error listener, writes the error to stderr instead of losing it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const { server, url } = await serve();
    server.on('connection', (connection) => {
      connection.on('message', () => {
        throw new Error('nobody listens for this');
      });
    });
    const failing = await client(url);
    failing.connection.send('boom');
    expect(await failing.closed).toEqual([1011, 'internal error']);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('websocket handler failed'),
      expect.objectContaining({ message: 'nobody listens for this' }),
    );
  });

  test("in a 'connection' listener, closes that connection with 1011 and keeps the server up", async () => {
    const errors: Error[] = [];
    const { server, url } = await serve();
    let accepted = 0;
    server.on('connection', (connection) => {
      connection.on('error', (error) => errors.push(error));
      if (++accepted === 1) throw new Error('setting up the player failed');
      connection.on('message', (data) => connection.send(data));
    });
    const first = await client(url);
    expect(await first.closed).toEqual([1011, 'internal error']);
    expect(errors.map((error) => error.message)).toEqual(['setting up the player failed']);
    const second = await client(url);
    second.connection.send('hello');
    await vi.waitFor(() => expect(second.messages).toEqual(['hello']), WAIT);
  });

  test("a throwing 'close' listener does not keep server.close() waiting", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const { server, url } = await serve();
    server.on('connection', (connection) => {
      connection.on('close', () => {
        throw new Error('cleanup after a player failed');
      });
    });
    const player = await client(url);
    await vi.waitFor(() => expect(server.connections.size).toBe(1), WAIT);
    // The throw must not skip the server's own 'close' listener, or close() would never resolve.
    await server.close();
    expect(await player.closed).toEqual([1001, 'server shutting down']);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('websocket handler failed'),
      expect.objectContaining({ message: 'cleanup after a player failed' }),
    );
  });

  test("an 'error' listener that throws is written to stderr, and the connection still closes with 1011", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => logged.mockRestore());
    const { server, url } = await serve();
    server.on('connection', (connection) => {
      connection.on('error', () => {
        throw new Error('the error handler has a bug too');
      });
      connection.on('message', () => {
        throw new Error('the game logic has a bug');
      });
    });
    const player = await client(url);
    player.connection.send('boom');
    expect(await player.closed).toEqual([1011, 'internal error']);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('error listener threw'),
      expect.objectContaining({ message: 'the game logic has a bug' }),
      'with:',
      expect.objectContaining({ message: 'the error handler has a bug too' }),
    );
  });

  test("a throwing 'drain' listener closes its connection with 1011", async () => {
    const errors: string[] = [];
    const { server, url } = await serve();
    server.on('connection', (connection) => {
      connection.on('error', (error) => errors.push(error.message));
      connection.on('drain', () => {
        throw new Error('refilling the send queue failed');
      });
      // More than the socket takes at once, so that it reports 'drain' once it has emptied.
      connection.send(Buffer.alloc(4 * 1024 * 1024));
    });
    const player = await client(url);
    expect(await player.closed).toEqual([1011, 'internal error']);
    expect(errors).toEqual(['refilling the send queue failed']);
  });

  test("after a throwing 'connection' listener, frames that came with the request are still read", async () => {
    // A close timeout far beyond the test's: the close must finish through the peer's frame.
    const { server, port } = await serve({ closeTimeout: 60_000 });
    server.on('error', () => {});
    server.on('connection', (connection) => {
      connection.on('error', () => {});
      throw new Error('setting up the player failed');
    });
    const raw = await rawConnect(port);
    sockets.push(raw.socket);
    // The request and the peer's own close frame in one write: they arrive in one read.
    raw.socket.write(
      Buffer.concat([Buffer.from(UPGRADE_REQUEST), clientFrame(Opcode.CLOSE, closePayload(1000))]),
    );
    const bytes = await raw.closed;
    const frames = framesIn(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4));
    expect(frames.map((frame) => frame.payload.readUInt16BE(0))).toEqual([1011]);
  });
});
