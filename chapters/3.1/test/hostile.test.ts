import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { until, within } from '@course/course-kit/testing/waits';
import { encodeFrame, Opcode, type WebSocketConnection } from '@course/ws-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeChatEvent } from '../src/chat/messages.ts';
import { type CourseServer, startCourseServer } from '../src/course-server.ts';
import { exchangeRaw, requestHead } from '../src/raw-http.ts';
import { RawClient } from './helpers.ts';

const MASK = Uint8Array.from([1, 2, 3, 4]);
const frame = (opcode: number, payload: Uint8Array | string, fin = true) => ({
  fin,
  rsv1: false,
  rsv2: false,
  rsv3: false,
  opcode,
  payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
});

let server: CourseServer;
beforeAll(async () => {
  server = await startCourseServer({
    port: 0,
    // Every test here but the slowloris one needs its handshakes to succeed: room for a loaded
    // machine. The slowloris test waits this long for its 408.
    handshakeTimeout: 3_000,
    closeTimeout: 500,
    backpressure: { highWaterMark: 64 * 1024, maxDropped: 20 },
    // The never-reading test has a member send 6,000 lines as fast as it can, on purpose, and
    // the tests here join from 127.0.0.1 far more often than a person would.
    chatLimits: { lineBurst: 10_000, linesPerSecond: 10_000, joinBurst: 1000 },
  });
});
afterAll(() => server.close());

const GOOD = [
  'GET /chat HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
];
const without = (name: string) => GOOD.filter((line) => !line.startsWith(name));

/** A chat member on the `ws` package that must see every line and stay connected. */
async function witness(room: string, on: CourseServer = server) {
  const socket = new WebSocket(`${on.url}chat?nick=witness&room=${room}`);
  const lines: string[] = [];
  // ws reports a refused upgrade or a reset as 'error', then 'close'; kept to say what happened.
  const errors: string[] = [];
  socket.on('error', (error) => errors.push(error.message));
  socket.on('message', (data) => {
    const event = decodeChatEvent(String(data));
    if (event.type === 'message') lines.push(event.text);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', (code, reason) =>
      reject(
        new Error(
          `the witness closed before it opened (${code} ${String(reason)}): ${errors.join('; ') || 'no error'}`,
        ),
      ),
    );
  });
  return { socket, lines, errors };
}

/** A `ws` client that records what the server sends it, and the code and reason it closes with. */
/** The HTTP refusal a `ws` client got instead of a 101: status, Retry-After and body. */
function refusalOf(
  socket: WebSocket,
): Promise<{ status?: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => reject(new Error('the upgrade was accepted, not refused')));
    socket.once('error', () => {}); // ws reports the refusal as an error too; 'close' follows
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode,
          retryAfter: response.headers['retry-after'] as string | undefined,
          body: body.trim(),
        }),
      );
    });
  });
}

function watchClose(url: string) {
  const socket = new WebSocket(url);
  const received: string[] = [];
  socket.on('message', (data) => received.push(String(data)));
  let closed: { code: number; reason: string } | undefined;
  socket.once('close', (code, reason) => {
    closed = { code, reason: String(reason) };
  });
  return { socket, received, closed: () => closed };
}

describe('handshake rejections', () => {
  it.each([
    ['a POST', 405, requestHead(['POST /chat HTTP/1.1', ...GOOD.slice(1)])],
    ['no Sec-WebSocket-Key', 400, requestHead(without('Sec-WebSocket-Key'))],
    [
      'a 12-byte key',
      400,
      requestHead([...without('Sec-WebSocket-Key'), 'Sec-WebSocket-Key: AAAAAAAAAAAAAAAA']),
    ],
    [
      'Sec-WebSocket-Version: 8',
      426,
      requestHead([...without('Sec-WebSocket-Version'), 'Sec-WebSocket-Version: 8']),
    ],
    ['a plain GET (no Upgrade) to /chat', 426, requestHead(without('Upgrade'))],
    ['no Host', 400, requestHead(without('Host'))],
    [
      'Connection without "upgrade"',
      400,
      requestHead([...without('Connection'), 'Connection: keep-alive']),
    ],

    ['HTTP/1.0', 400, requestHead(['GET /chat HTTP/1.0', ...GOOD.slice(1)])],
    ['a 20 KB header', 431, requestHead([...GOOD, `X-Padding: ${'a'.repeat(20_000)}`])],
    ['garbage instead of HTTP', 400, 'ABC\r\n\r\n'],
  ])('answers %s with status %i and closes the connection', async (_label, status, request) => {
    const answer = await exchangeRaw(server, request);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });

  it('answers an upgrade to an unknown path with 404 and a body naming the endpoints, never a 101', async () => {
    const answer = await exchangeRaw(
      server,
      requestHead(['GET /nowhere?nick=x HTTP/1.1', ...GOOD.slice(1)]),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer).toMatch(/\r\n\r\nno websocket endpoint at \/nowhere: try \/echo or \/chat\n$/);
  });

  it('refuses the ws package on an unknown path with 404, so its open never fires', async () => {
    const ws = new WebSocket(`${server.url}nowhere`);
    let opened = false;
    ws.on('open', () => {
      opened = true;
    });
    const status = await new Promise<number | undefined>((resolve) => {
      ws.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode);
        ws.terminate();
      });
      ws.once('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
    expect(opened).toBe(false);
  });

  it('upgrades Firefox’s "Connection: keep-alive, Upgrade": a token list, not one value', async () => {
    const answer = await exchangeRaw(
      server,
      requestHead([...without('Connection'), 'Connection: keep-alive, Upgrade']),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
  });

  it('says which version it speaks when it refuses one', async () => {
    const answer = await exchangeRaw(
      server,
      requestHead([...without('Sec-WebSocket-Version'), 'Sec-WebSocket-Version: 8']),
    );
    expect(answer).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/i);
  });

  it('closes a slowloris handshake after the handshake timeout while others keep chatting', async () => {
    const slow = tcpConnect(server.port, '127.0.0.1');
    slow.on('error', () => {});
    let answer = '';
    slow.on('data', (chunk) => {
      answer += chunk;
    });
    const slowClosed = new Promise((resolve) => slow.once('close', resolve));
    slow.write('GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // and never the rest
    const other = await witness('slowloris');
    other.socket.send('still here');
    await until(() => other.lines.includes('still here'), 10_000, 'the line to come back');
    await slowClosed; // bounded by the test timeout: fails if the server never gives up
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    other.socket.close();
  });
});

describe('protocol violations close only the offender, with the right code', () => {
  it.each([
    ['an unmasked client frame', 1002, encodeFrame(frame(Opcode.TEXT, 'hi'))],
    ['a reserved opcode 0x3', 1002, encodeFrame(frame(0x3, 'hi'), MASK)],
    [
      'RSV1 set without an extension',
      1002,
      encodeFrame({ ...frame(Opcode.TEXT, 'hi'), rsv1: true }, MASK),
    ],
    ['a fragmented ping', 1002, encodeFrame(frame(Opcode.PING, 'x', false), MASK)],
    [
      'a continuation with nothing to continue',
      1002,
      encodeFrame(frame(Opcode.CONTINUATION, 'x'), MASK),
    ],
    [
      'invalid UTF-8 in a text frame',
      1007,
      encodeFrame(frame(Opcode.TEXT, Uint8Array.from([0xc3, 0x28])), MASK),
    ],
    ['a binary frame to the chat', 1003, encodeFrame(frame(Opcode.BINARY, 'hi'), MASK)],
    [
      'a chat line over 2000 characters',
      1009,
      encodeFrame(frame(Opcode.TEXT, 'x'.repeat(2001)), MASK),
    ],
    [
      'a frame over the 1 MiB payload limit',
      1009,
      encodeFrame(frame(Opcode.TEXT, 'x'.repeat(1024 * 1024 + 1)), MASK),
    ],
  ])('answers %s with close %i', async (label, code, bytes) => {
    const room = `bad-${code}-${label.length}`;
    const other = await witness(room);
    const offender = await RawClient.open(server.port, `/chat?nick=offender&room=${room}`);
    offender.write(bytes);
    expect((await offender.closeEvent()).code).toBe(code);
    await offender.closed;
    other.socket.send('unharmed');
    await until(() => other.lines.includes('unharmed'), 10_000, 'the witness’s own line');
    expect(other.socket.readyState).toBe(WebSocket.OPEN);
    other.socket.close();
  });

  it('tells the room at once when a member’s TCP connection just drops', async () => {
    const other = await witness('drop');
    const events: string[] = [];
    other.socket.on('message', (data) => events.push(String(data)));
    const dropper = await RawClient.open(server.port, '/chat?nick=dropper&room=drop');
    dropper.destroy();
    const leave = await until(
      () => events.map((e) => decodeChatEvent(e)).find((e) => e.type === 'leave'),
      10_000,
      'a leave notice',
    );
    expect(leave).toMatchObject({ nick: 'dropper', reason: 'connection closed (1006)' });
    other.socket.close();
  });
});

describe('the page route under odd requests', () => {
  const page = (target: string, ...more: string[]) =>
    requestHead([`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...more]);

  it('answers only the first of 1,000 pipelined keep-alive requests, says Connection: close, and closes', async () => {
    const answer = await exchangeRaw(server, page('/', 'Connection: keep-alive').repeat(1000));
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/);
  });

  it.each([
    ['a query string of 8,000 characters', page(`/?${'q'.repeat(8000)}`), 200],
    ['2,000 small headers (over 8 KiB in all)', page('/', ...Array(2000).fill('X-A: 1')), 431],
    ['an encoded "../" path', page('/%2e%2e/package.json'), 404],
    ['an absolute-form target', page('http://127.0.0.1/'), 404],
  ])('answers %s with %i and closes', async (_label, request, status) => {
    expect(await exchangeRaw(server, request)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });
});

describe('connections per address', () => {
  it('refuses a third WebSocket from one address with 429 before the 101 while the first two keep echoing, and admits one again once either closes', async () => {
    const small = await startCourseServer({ port: 0, maxConnectionsPerAddress: 2 });
    try {
      const open = (path: string) => watchClose(`${small.url}${path}`);
      const first = open('echo');
      const second = open('chat?nick=second');
      await Promise.all([first, second].map(({ socket }) => once(socket, 'open')));
      const third = open('echo');
      expect(
        await within(refusalOf(third.socket), 10_000, 'the server to refuse the third'),
      ).toEqual({
        status: 429,
        retryAfter: '5',
        body: 'too many connections from your address (2); try again later',
      });
      /** The echo of `text`, or what closed the socket instead (a refusal comes after the 101). */
      const echoOn = (socket: WebSocket, text: string) =>
        new Promise<string>((resolve) => {
          socket.once('message', (data) => resolve(String(data)));
          socket.once('close', (code, reason) => resolve(`closed: ${code} ${reason}`));
          socket.send(text);
        });
      expect(await echoOn(first.socket, 'still echoing')).toBe('still echoing');
      second.socket.close();
      await once(second.socket, 'close');
      // ws-core forgets a connection in the same 'close' event that frees its place here.
      await until(
        () => {
          return small.server.connections.size === 1;
        },
        10_000,
        'the server to forget the closed and refused ones',
      );
      const fourth = open('echo');
      await once(fourth.socket, 'open');
      expect(await echoOn(fourth.socket, 'a freed place')).toBe('a freed place');
      expect(fourth.closed()).toBeUndefined();
      first.socket.close();
      fourth.socket.close();
    } finally {
      await small.close();
    }
  });
});

describe('connections in all', () => {
  it.each([
    [
      { maxConnectionsPerAddress: 0 },
      'maxConnectionsPerAddress must be a positive finite number, not 0',
    ],
    [{ maxConnections: -5 }, 'maxConnections must be a positive finite number, not -5'],
    [{ echoMaxBuffered: -1 }, 'echoMaxBuffered must be a positive finite number, not -1'],
    [
      { chatLimits: { maxRoomMembers: 0 } },
      'chat option maxRoomMembers must be a positive finite number, not 0',
    ],
  ])(
    'refuses to start with %j: a TypeError naming the option, rather than a limit that refuses all or nothing',
    async (options, message) => {
      await expect(startCourseServer({ port: 0, ...options })).rejects.toThrow(
        new TypeError(message),
      );
    },
  );

  it('answers an upgrade over maxConnections with 503 and Retry-After, before any 101', async () => {
    const small = await startCourseServer({ port: 0, maxConnections: 2 });
    try {
      const open = [watchClose(`${small.url}echo`), watchClose(`${small.url}chat?nick=b`)];
      await Promise.all(open.map(({ socket }) => once(socket, 'open')));
      const answer = await exchangeRaw(
        small,
        requestHead(['GET /echo HTTP/1.1', ...GOOD.slice(1)]),
      );
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toMatch(/\r\nRetry-After: 5\r\n/i);
      expect(answer).toContain('server is full (2 connections): try again later');
      for (const { socket } of open) socket.close();
    } finally {
      await small.close();
    }
  });

  it('logs refused connections at most once a second, each line saying how many it stands for', async () => {
    const lines: string[] = [];
    const small = await startCourseServer({
      port: 0,
      maxConnectionsPerAddress: 1,
      log: (line) => lines.push(line),
    });
    try {
      const first = watchClose(`${small.url}echo`);
      await once(first.socket, 'open');
      const refused = Array.from({ length: 20 }, () => new WebSocket(`${small.url}echo`));
      const statuses = await within(
        Promise.all(refused.map((socket) => refusalOf(socket).then((r) => r.status))),
        10_000,
        'the 20 refusals',
      );
      expect(statuses).toEqual(Array(20).fill(429));
      first.socket.close();
    } finally {
      await small.close();
    }
    const refusals = lines.filter((line) => line.startsWith('refused a connection from'));
    // The 20 came within the wait's 10 s, so one a second is at most 11 lines.
    expect(refusals.length).toBeLessThan(20);
    const stoodFor = refusals.map((line) => 1 + Number(/\(and (\d+) more/.exec(line)?.[1] ?? 0));
    expect(stoodFor.reduce((a, b) => a + b, 0)).toBe(20);
  });
});

describe('chat line content', () => {
  it('turns control characters into spaces before the room sees a line, and drops a line of only controls', async () => {
    const other = await witness('controls');
    const sender = await RawClient.open(server.port, '/chat?nick=sender&room=controls');
    sender.sendText('\u0000\u0007\r\n');
    sender.sendText('red\u001b[31malert\u0000\r\nbye');
    await until(() => other.lines.length > 0, 10_000, 'the second line');
    expect(other.lines).toEqual(['red [31malert bye']);
    sender.destroy();
    other.socket.close();
  });
});

describe('a client that never reads', () => {
  it('is dropped from the chat as too slow while a reading member gets every line', async () => {
    const reader = await witness('flood');
    const notices: string[] = [];
    reader.socket.on('message', (data) => {
      const event = decodeChatEvent(String(data));
      if (event.type === 'leave') notices.push(`${event.nick}: ${event.reason}`);
    });
    const sleeper = await RawClient.open(server.port, '/chat?nick=sleeper&room=flood');
    sleeper.socket.pause(); // from now on the kernel buffers fill, then the server's queue grows
    const line = 'x'.repeat(1900);
    // ~11 MB per member: more than the kernel holds for a socket that is not read (Linux
    // lets a send buffer grow to tcp_wmem's 4 MiB by default; a receive buffer stays small).
    const count = 6000;
    // The reader keeps at most WINDOW lines in flight, as a person typing would: its own
    // queue stays far below the high-water mark, while the sleeper's only ever grows.
    const WINDOW = 20;
    const linesReach = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the reader got ${reader.lines.length} of ${n} lines in 10 s`)),
          10_000,
        );
        const check = () => {
          if (reader.lines.length < n) return;
          clearTimeout(timer);
          reader.socket.off('message', check);
          resolve();
        };
        reader.socket.on('message', check); // after witness's own listener, so lines is current
        check();
      });
    for (let sent = 0; sent < count; ) {
      const upTo = Math.min(count, sent + WINDOW);
      for (; sent < upTo; sent++) reader.socket.send(`${sent} ${line}`);
      await linesReach(upTo);
    }
    expect(reader.lines.map((l) => Number(l.split(' ')[0]))).toEqual([...Array(count).keys()]);
    expect(notices).toEqual(['sleeper: too slow']);
    expect(server.hub.membersOf('flood')).toEqual(['witness']);
    // The server closed it (1008, then the close timeout); reading again lets it notice.
    sleeper.socket.resume();
    await sleeper.closed;
    reader.socket.close();
  });

  it('on /echo stops being read, so the server holds a bounded amount for it, and others are served', async () => {
    const connected = new Promise<WebSocketConnection>((resolve) =>
      server.server.once('connection', (conn: WebSocketConnection) => resolve(conn)),
    );
    const sleeper = await RawClient.open(server.port, '/echo');
    const serverSide = await connected;
    sleeper.socket.pause();
    const chunk = encodeFrame(frame(Opcode.BINARY, new Uint8Array(100 * 1024)), MASK);
    for (let i = 0; i < 200; i++) sleeper.write(chunk); // 20 MB of echoes it will never read
    // The echoes pile up until ws-core stops reading the sleeper (its high-water mark is 1 MiB).
    await until(
      () => serverSide.bufferedAmount > 1024 * 1024,
      10_000,
      'the server to owe the sleeper over 1 MiB',
    );
    const other = new WebSocket(`${server.url}echo`);
    await new Promise((resolve) => other.once('open', resolve));
    const reply = new Promise<string>((resolve) =>
      other.once('message', (d) => resolve(String(d))),
    );
    other.send('still served');
    expect(await reply).toBe('still served');
    // Paused, it owes the sleeper about the high-water mark plus one read's worth of echoes,
    // far from the 20 MB the sleeper tried to make it echo.
    expect(serverSide.bufferedAmount).toBeLessThan(4 * 1024 * 1024);
    other.close();
    sleeper.destroy();
  });
});

describe('chat limits: one client cannot make the server work for the whole room without end', () => {
  let limited: CourseServer;
  beforeAll(async () => {
    limited = await startCourseServer({
      port: 0,
      closeTimeout: 500,
      chatLimits: { maxRoomMembers: 3, lineBurst: 20, linesPerSecond: 5 },
    });
  });
  afterAll(() => limited.close());

  it('closes a client that sends 1,000 lines in one write with 1008; the room gets at most its burst', async () => {
    const other = await witness('flood-lines', limited);
    const notices: string[] = [];
    other.socket.on('message', (data) => {
      const event = decodeChatEvent(String(data));
      if (event.type === 'leave') notices.push(`${event.nick}: ${event.reason}`);
    });
    const flooder = await RawClient.open(limited.port, '/chat?nick=flooder&room=flood-lines');
    const line = encodeFrame(frame(Opcode.TEXT, 'x'), MASK);
    flooder.write(Buffer.concat(Array.from({ length: 1000 }, () => line)));
    expect(await flooder.closeEvent()).toMatchObject({
      code: 1008,
      reason: 'sending too fast: over 20 lines at once or 5 a second',
    });
    await until(() => notices.length > 0, 10_000, 'the room to hear why');
    expect(notices).toEqual(['flooder: too fast']);
    // 20 at once, plus what 5 a second refills while the write is read (well under a second).
    expect(other.lines.length).toBeGreaterThanOrEqual(20);
    expect(other.lines.length).toBeLessThanOrEqual(25);
    other.socket.close();
  });

  it('refuses a third chat member from one address with close 1013, in any room', async () => {
    const small = await startCourseServer({ port: 0, chatLimits: { maxMembersPerAddress: 2 } });
    try {
      const members = [await witness('one', small), await witness('two', small)];
      const third = watchClose(`${small.url}chat?nick=third&room=three`);
      expect(await until(third.closed, 10_000, 'the server to close the third member')).toEqual({
        code: 1013,
        reason: 'too many members from your address (2); try again later',
      });
      for (const member of members) member.socket.close();
    } finally {
      await small.close();
    }
  });

  it('refuses a third join from one address in quick succession with close 1013, though the first two left', async () => {
    const small = await startCourseServer({
      port: 0,
      chatLimits: { joinBurst: 2, joinsPerSecond: 0.01 },
    });
    try {
      for (const room of ['one', 'two']) {
        const member = await witness(room, small);
        member.socket.close();
        await once(member.socket, 'close');
      }
      const third = watchClose(`${small.url}chat?nick=third&room=three`);
      expect(await until(third.closed, 10_000, 'the server to close the third join')).toEqual({
        code: 1013,
        reason: 'joining too often from your address; try again later',
      });
    } finally {
      await small.close();
    }
  });

  it('refuses a fourth member of a room of three with close 1013 and a reason, before any welcome', async () => {
    const members = await Promise.all(['a', 'b', 'c'].map(() => witness('full', limited)));
    const late = watchClose(`${limited.url}chat?nick=late&room=full`);
    expect(await until(late.closed, 10_000, 'the server to close the fourth member')).toEqual({
      code: 1013,
      reason: 'this room is full (3 members); try again later',
    });
    expect(late.received).toEqual([]);
    expect(limited.hub.membersOf('full')).toEqual(['witness', 'witness#2', 'witness#3']);
    for (const member of members) member.socket.close();
  });
});
