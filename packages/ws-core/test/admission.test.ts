import type { Socket } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { refusalFor } from '../src/admission.ts';
import {
  type Admission,
  type AdmissionRequest,
  connect,
  HandshakeError,
  Opcode,
  type WebSocketServer,
} from '../src/index.ts';
import { clientFrame, framesIn } from './helpers.ts';
import { rawConnect, startServer, statusOf, UPGRADE_REQUEST } from './tcp-helpers.ts';

describe('refusalFor: the admit hook answer, checked', () => {
  test('admits on true', () => {
    expect(refusalFor(true)).toBeUndefined();
  });

  test('turns a refusal into a HandshakeError with its status, reason and headers', () => {
    const refusal = refusalFor({
      status: 429,
      reason: 'too many connections from your address',
      headers: { 'Retry-After': '7' },
    });
    expect(refusal).toBeInstanceOf(HandshakeError);
    expect(refusal).toMatchObject({
      status: 429,
      code: 'WS_ERR_ADMISSION_REFUSED',
      message: 'too many connections from your address',
      headers: { 'Retry-After': '7' },
    });
  });

  test.each([
    ['false', false, 'admit must return true or { status, reason }, got false'],
    ['undefined', undefined, 'admit must return true or { status, reason }, got undefined'],
    ['status 200', { status: 200, reason: 'ok' }, 'from 400 to 599, got 200'],
    ['status 101', { status: 101, reason: 'switch' }, 'from 400 to 599, got 101'],
    ['status 403.5', { status: 403.5, reason: 'half' }, 'from 400 to 599, got 403.5'],
    ['no reason', { status: 403 }, 'reason must be one line of text, got undefined'],
    ['an empty reason', { status: 403, reason: '' }, 'reason must be one line of text, got ""'],
    ['a reason of two lines', { status: 403, reason: 'a\r\nb' }, 'got "a\\r\\nb"'],
    [
      'a header with CR/LF',
      { status: 403, reason: 'no', headers: { 'X-A': 'a\r\nSet-Cookie: x=1' } },
      'http header X-A has a control character',
    ],
    [
      'a framing header',
      { status: 403, reason: 'no', headers: { 'Content-Length': '1' } },
      'http header Content-Length is set by the server: leave it out',
    ],
  ])('throws a TypeError for %s', (_name, answer, message) => {
    expect(() => refusalFor(answer)).toThrow(TypeError);
    expect(() => refusalFor(answer)).toThrow(message);
  });
});

describe('the admit hook over TCP', () => {
  const servers: WebSocketServer[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  const WAIT = { timeout: 10_000 };

  async function serve(options: Parameters<typeof startServer>[0]) {
    const started = await startServer({ closeTimeout: 500, ...options });
    servers.push(started.server);
    const upgraded: string[] = [];
    const errors: string[] = [];
    started.server.on('connection', (conn) => {
      upgraded.push(conn.path);
      conn.on('message', (data) => conn.send(data));
    });
    started.server.on('error', (error) => errors.push(error.message));
    return { ...started, upgraded, errors };
  }

  /** Sends the upgrade request for `path`; resolves with the client and the response head. */
  async function upgrade(port: number, path = '/raw', extra: Uint8Array = Buffer.alloc(0)) {
    const client = await rawConnect(port);
    sockets.push(client.socket);
    client.socket.write(
      Buffer.concat([Buffer.from(UPGRADE_REQUEST.replace('GET /raw', `GET ${path}`)), extra]),
    );
    return client;
  }

  /** A promise the test settles: the hook's answer, given when the test says so. */
  function deferred<T>() {
    let resolve: (value: T) => void = () => {};
    const promise = new Promise<T>((done) => (resolve = done));
    return { promise, resolve };
  }

  test("refuses with the hook's status, reason and headers, before any 101", async () => {
    const { port, upgraded } = await serve({
      admit: () => ({
        status: 429,
        reason: 'too many connections from your address',
        headers: { 'Retry-After': '7' },
      }),
    });
    const bytes = await (await upgrade(port)).closed;
    expect(statusOf(bytes)).toBe(429);
    expect(bytes.toString()).toContain('Retry-After: 7\r\n');
    expect(bytes.toString()).toMatch(/\r\n\r\ntoo many connections from your address\n$/);
    expect(bytes.toString()).not.toContain('101');
    expect(upgraded).toEqual([]);
  });

  test("shows the hook the request head and the peer's address and port", async () => {
    const seen: AdmissionRequest[] = [];
    const { port, upgraded } = await serve({
      admit: (request) => {
        seen.push(request);
        return true;
      },
    });
    const client = await upgrade(port, '/chat?nick=ann');
    expect(statusOf(await client.until((b) => b.includes('\r\n\r\n')))).toBe(101);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.remoteAddress).toBe('127.0.0.1');
    expect(seen[0]?.remotePort).toBe(client.socket.localPort);
    expect(seen[0]?.head.target).toBe('/chat?nick=ann');
    expect(seen[0]?.head.headers.get('sec-websocket-key')).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    await vi.waitFor(() => expect(upgraded).toEqual(['/chat?nick=ann']), WAIT);
  });

  test('answers 500 when the hook throws or rejects, reports it, and keeps serving', async () => {
    const { port, errors } = await serve({
      admit: ({ head }) => {
        if (head.target === '/throws') throw new Error('the ban list is gone');
        if (head.target === '/rejects') return Promise.reject(new Error('the ban service is down'));
        if (head.target === '/nonsense') return 'yes' as unknown as Admission;
        return true;
      },
    });
    for (const path of ['/throws', '/rejects', '/nonsense']) {
      const refused = await (await upgrade(port, path)).closed;
      expect(statusOf(refused), path).toBe(500);
      expect(refused.toString(), path).toMatch(/\r\n\r\ninternal server error\n$/); // no details
    }
    expect(errors).toEqual([
      'the ban list is gone',
      'the ban service is down',
      'admit must return true or { status, reason }, got yes',
    ]);
    const fine = await upgrade(port);
    expect(statusOf(await fine.until((b) => b.includes('\r\n\r\n')))).toBe(101);
  });

  test('answers 503 with Retry-After at the deadline when an async hook decides late, and drops its answer', async () => {
    const answer = deferred<Admission>();
    let asked = 0;
    // One deadline for both clients: the slow one's 503 waits for it, and the next one must
    // get its 101 within it, so it leaves room for a loaded machine.
    const { port, upgraded } = await serve({
      handshakeTimeout: 2_000,
      admit: ({ head }) => {
        if (head.target !== '/slow') return true;
        asked++;
        return answer.promise;
      },
    });
    const slow = await upgrade(port, '/slow');
    const refused = await slow.closed;
    expect(asked).toBe(1);
    expect(statusOf(refused)).toBe(503);
    expect(refused.toString()).toContain('Retry-After: 5\r\n');
    expect(refused.toString()).toMatch(/\r\n\r\nadmission not decided in time: try again later\n$/);
    // The hook says yes after all, too late. The server handles that answer in microtasks,
    // and microtasks all run before the event loop reads another socket: by the time the next
    // client below has its 101, the late answer has been dealt with, and must have upgraded no one.
    answer.resolve(true);
    const fine = await upgrade(port);
    expect(statusOf(await fine.until((b) => b.includes('\r\n\r\n')))).toBe(101);
    expect(upgraded).toEqual(['/raw']);
  });

  test('an async hook that admits in time gets the connection its frames, none lost while it decided', async () => {
    const answer = deferred<Admission>();
    const called = deferred<void>();
    const { port } = await serve({
      admit: () => {
        called.resolve();
        return answer.promise;
      },
    });
    // One frame with the request (read with the head), one while the hook is deciding.
    const client = await upgrade(port, '/raw', clientFrame(Opcode.TEXT, 'with the request'));
    await called.promise;
    client.socket.write(clientFrame(Opcode.TEXT, 'while deciding'));
    // The hook answers only after the server has read that frame, so the test shows the frame
    // is held while nobody listens for it, rather than arriving after the connection exists.
    // On loopback the write above is in the server's socket buffer when it returns. We are in
    // the poll phase that read the head: the first setImmediate ends it, and the second comes
    // after the next poll phase, which reads the frame.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    answer.resolve(true);
    await client.until((bytes) => bytes.includes('while deciding'));
    const frames = framesIn(client.received().subarray(client.received().indexOf('\r\n\r\n') + 4));
    expect(frames.map((frame) => frame.payload.toString())).toEqual([
      'with the request',
      'while deciding',
    ]);
  });

  test('limits connections per address with admit and a count kept on connection and close (the README example)', async () => {
    const perAddress = new Map<string, number>();
    const started = await startServer({
      closeTimeout: 500,
      admit: ({ remoteAddress }) =>
        (perAddress.get(remoteAddress) ?? 0) < 2 || {
          status: 429,
          reason: 'too many connections from your address',
          headers: { 'Retry-After': '5' },
        },
    });
    servers.push(started.server);
    const closed: string[] = [];
    started.server.on('connection', (conn) => {
      const from = conn.remoteAddress ?? '';
      perAddress.set(from, (perAddress.get(from) ?? 0) + 1);
      conn.on('close', () => {
        const left = (perAddress.get(from) ?? 1) - 1;
        if (left === 0) perAddress.delete(from);
        else perAddress.set(from, left);
        closed.push(from);
      });
    });
    const first = await connect(started.url);
    const second = await connect(started.url);
    const third = await connect(started.url).catch((error: unknown) => error);
    expect(third).toBeInstanceOf(HandshakeError);
    expect(third).toMatchObject({
      status: 429,
      code: 'WS_ERR_UPGRADE_REFUSED',
      message:
        'server refused the upgrade: 429 Too Many Requests: too many connections from your address',
    });
    expect(perAddress).toEqual(new Map([['127.0.0.1', 2]]));
    first.close();
    await vi.waitFor(() => expect(closed).toEqual(['127.0.0.1']), WAIT);
    const fourth = await connect(started.url);
    expect(fourth.readyState).toBe('open');
    second.terminate();
    fourth.terminate();
  });

  test('server.close() in the tick an async hook answers: no 101, no connection, close() leaves none open', async () => {
    const answer = deferred<Admission>();
    const called = deferred<void>();
    const { server, port, upgraded } = await serve({
      admit: () => {
        called.resolve();
        return answer.promise;
      },
    });
    const client = await upgrade(port);
    await called.promise;
    // The answer and the shutdown in one tick (both caused by one event, say): the server
    // sees the answer in a microtask, after close() has begun.
    answer.resolve(true);
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(upgraded).toEqual([]);
    expect(server.connections.size).toBe(0);
    expect((await client.closed).length).toBe(0); // destroyed by close(), with no 101
  });

  test('server.close() does not wait for a hook that never answers', async () => {
    const called = deferred<void>();
    const { server, port } = await serve({
      admit: () => {
        called.resolve();
        return new Promise<Admission>(() => {});
      },
    });
    const client = await upgrade(port);
    await called.promise;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await client.closed; // destroyed by close(), with no answer
    expect(client.received().length).toBe(0);
  });
});
