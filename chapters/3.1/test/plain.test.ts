/**
 * The plain TypeScript files the lesson shows (src/plain/, minimal-server.ts aside): each one's
 * functions against RFC 6455's own bytes and against real peers (ws-core's frames, the `ws`
 * package), and each file run as the page tells a student to run it.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { within } from '@course/course-kit/testing/waits';
import { Opcode as CoreOpcode, encodeFrame, Protocol } from '@course/ws-core';
import { afterEach, describe, expect, it, test } from 'vitest';
import WebSocket from 'ws';
import { computeAcceptKey, isValidKey } from '../src/plain/accept-key.ts';
import { encodeServerFrame } from '../src/plain/encode-frame.ts';
import { Opcode, parseFrameHeader } from '../src/plain/frame-header.ts';
import { answerUpgrade } from '../src/plain/handshake-response.ts';
import { closeServer, listen, serveOneAndStop } from '../src/plain/listen.ts';
import { unmask } from '../src/plain/unmask.ts';
import { parseRequestHead, readRequestHead } from '../src/plain/upgrade-request.ts';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const RFC_MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The RFC 6455 §1.2 request head (no blank line); `undefined` leaves a header out. */
const requestLines = (overrides: Record<string, string | undefined> = {}) => {
  const { 'request-line': requestLine = 'GET /chat HTTP/1.1', ...rest } = overrides;
  const headers: Record<string, string | undefined> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': RFC_KEY,
    'Sec-WebSocket-Version': '13',
    ...rest,
  };
  const lines = Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : [`${name}: ${value}`],
  );
  return [requestLine, ...lines].join('\r\n');
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => closeServer(server)));
});

/** A loopback server running `onSocket`, closed after the test. */
async function serve(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  return listen(server, { host: '127.0.0.1', port: 0 });
}

describe('accept-key.ts', () => {
  it('turns the RFC 6455 §1.3 sample key into the sample accept value', () => {
    expect(computeAcceptKey(RFC_KEY)).toBe(RFC_ACCEPT);
  });

  it('accepts a key of 16 bytes in base64 and refuses the original chapter’s 19-character one', () => {
    expect(isValidKey(RFC_KEY)).toBe(true);
    expect(isValidKey('xsdouiaDDBub25jZQ==')).toBe(false);
    expect(isValidKey(Buffer.alloc(17).toString('base64'))).toBe(false);
  });
});

describe('upgrade-request.ts', () => {
  it('lower-cases header names, allows no space after the colon and joins a repeated header', () => {
    const head = parseRequestHead(
      'GET /chat HTTP/1.1\r\nSec-WebSocket-Key:abc\r\nX-Tag: one\r\nx-tag: two',
    );
    expect(head).toMatchObject({ method: 'GET', target: '/chat', version: 'HTTP/1.1' });
    expect(head.headers.get('sec-websocket-key')).toBe('abc');
    expect(head.headers.get('x-tag')).toBe('one, two');
  });

  it('throws on a header line without a colon', () => {
    expect(() => parseRequestHead('GET / HTTP/1.1\r\nno colon here')).toThrow(/not a header line/);
  });

  it('reads a head that arrives one byte per write, and keeps the bytes after the blank line', async () => {
    const heads = new Promise<Awaited<ReturnType<typeof readRequestHead>>>((resolve, reject) => {
      void serve((socket) => readRequestHead(socket).then(resolve, reject)).then(async (port) => {
        const client = connect(port, '127.0.0.1');
        client.setNoDelay(true);
        const bytes = Buffer.concat([Buffer.from(`${requestLines()}\r\n\r\n`), Buffer.of(0x81, 0)]);
        for (let at = 0; at < bytes.length; at++) {
          await new Promise<void>((done) => client.write(bytes.subarray(at, at + 1), () => done()));
        }
        client.end();
      });
    });
    const { head, rest } = await within(heads, 10_000, 'the head sent one byte per write');
    expect(head.headers.get('sec-websocket-key')).toBe(RFC_KEY);
    expect([...rest]).toEqual([0x81, 0x00]);
  });

  it('rejects a head over 8 KiB, and a connection that closes before the blank line', async () => {
    const outcomes: string[] = [];
    const port = await serve((socket) => {
      readRequestHead(socket).catch((error: Error) => {
        outcomes.push(error.message);
        socket.destroy();
      });
    });
    const big = connect(port, '127.0.0.1');
    big.on('error', () => {});
    big.write(`GET / HTTP/1.1\r\nCookie: ${'c'.repeat(9000)}`);
    await within(
      once(big, 'close'),
      10_000,
      'the server to close the connection with a head over 8 KiB',
    );
    const short = connect(port, '127.0.0.1', () => short.end('GET / HTTP/1.1\r\nHost: x\r\n'));
    await within(
      once(short, 'close'),
      10_000,
      'the connection that ended before its blank line to close',
    );
    await expect.poll(() => outcomes.length).toBe(2);
    expect(outcomes.sort()).toEqual([
      'connection closed before the head was complete',
      'request head over 8 KiB',
    ]);
  });
});

describe('handshake-response.ts', () => {
  it('answers the RFC sample with 101, the sample accept value and the one protocol chosen', () => {
    const head = parseRequestHead(requestLines({ 'Sec-WebSocket-Protocol': 'superchat, chat' }));
    expect(answerUpgrade(head, ['chat']).split('\r\n')).toEqual([
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${RFC_ACCEPT}`,
      'Sec-WebSocket-Protocol: chat',
      '',
      '',
    ]);
  });

  it('sends no Sec-WebSocket-Protocol when the client offered none of ours', () => {
    const head = parseRequestHead(requestLines({ 'Sec-WebSocket-Protocol': 'superchat' }));
    expect(answerUpgrade(head, ['chat'])).not.toMatch(/sec-websocket-protocol/i);
  });

  it('upgrades Firefox’s "Connection: keep-alive, Upgrade" (a token list)', () => {
    const head = parseRequestHead(requestLines({ Connection: 'keep-alive, Upgrade' }));
    expect(answerUpgrade(head)).toMatch(/^HTTP\/1\.1 101 /);
  });

  test.each([
    ['POST', { 'request-line': 'POST /chat HTTP/1.1' }, '405 Method Not Allowed'],
    ['no Host', { Host: undefined }, '400 Bad Request'],
    ['no Upgrade', { Upgrade: undefined }, '400 Bad Request'],
    ['Connection: keep-alive', { Connection: 'keep-alive' }, '400 Bad Request'],
    ['version 8', { 'Sec-WebSocket-Version': '8' }, '426 Upgrade Required'],
    ['the original’s key', { 'Sec-WebSocket-Key': 'xsdouiaDDBub25jZQ==' }, '400 Bad Request'],
  ])('refuses a request with %s: %s', (_label, overrides, status) => {
    const answer = answerUpgrade(parseRequestHead(requestLines(overrides)));
    expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
    expect(answer).toContain('Connection: close');
    if (status.startsWith('426')) expect(answer).toContain('Sec-WebSocket-Version: 13');
  });

  it('answers a POST with 405 and "Allow: GET", as RFC 9110 §15.5.6 requires', () => {
    const answer = answerUpgrade(
      parseRequestHead(requestLines({ 'request-line': 'POST / HTTP/1.1' })),
    );
    const head = answer.split('\r\n\r\n')[0]?.split('\r\n');
    expect(head?.[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(head).toContain('Allow: GET');
  });

  it('is refused by the ws package when it offered "superchat" and the 101 names no subprotocol', async () => {
    const port = await serve(async (socket) => {
      const { head } = await readRequestHead(socket);
      socket.write(answerUpgrade(head, ['chat'])); // no protocol in common: no header at all
    });
    const client = new WebSocket(`ws://127.0.0.1:${port}/chat`, ['superchat']);
    const [error] = await within(once(client, 'error'), 10_000, 'the ws client to fail');
    expect(String(error)).toMatch(/no subprotocol/);
  });

  it('opens the ws package’s connection when served over node:net with readRequestHead', async () => {
    const port = await serve(async (socket) => {
      const { head } = await readRequestHead(socket);
      socket.write(answerUpgrade(head, ['chat']));
    });
    const client = new WebSocket(`ws://127.0.0.1:${port}/chat`, ['superchat', 'chat']);
    await within(once(client, 'open'), 10_000, 'the ws client to open');
    expect(client.protocol).toBe('chat');
    client.terminate();
  });
});

describe('frame-header.ts, unmask.ts and encode-frame.ts', () => {
  it('encodes RFC 6455 §5.7’s unmasked "Hello" as 81 05 48 65 6c 6c 6f', () => {
    expect(hex(encodeServerFrame(Opcode.TEXT, Buffer.from('Hello')))).toBe('810548656c6c6f');
  });

  it('unmasks RFC 6455 §5.7’s masked "Hello", and masking again gives the wire bytes', () => {
    const wire = Uint8Array.from([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    expect(Buffer.from(unmask(wire, RFC_MASK)).toString()).toBe('Hello');
    expect([...unmask(unmask(wire, RFC_MASK), RFC_MASK)]).toEqual([...wire]);
    expect(() => unmask(wire, RFC_MASK.subarray(0, 3))).toThrow(RangeError);
  });

  test.each([
    [0, 7],
    [125, 7],
    [126, 16],
    [127, 16],
    [65535, 16],
    [65536, 64],
  ])('round-trips a %i-byte payload through the %i-bit length form', (size, bits) => {
    const frame = encodeServerFrame(Opcode.BINARY, Buffer.alloc(size, 7));
    const header = parseFrameHeader(frame);
    expect(header).toMatchObject({ fin: true, opcode: 2, masked: false, payloadLength: size });
    expect(header?.lengthBits).toBe(bits);
    expect(frame.length).toBe((header?.headerLength ?? 0) + size);
    // A real peer agrees: ws-core's client reads our frame as one message of that size.
    const client = new Protocol({ role: 'client' });
    client.receiveData(frame);
    const [event] = client.eventsReceived();
    expect(event?.type === 'binary' && event.data.length).toBe(size);
  });

  it('waits for more bytes at every cut of a masked 64-bit header, then reads it whole', () => {
    const payload = Buffer.alloc(70_000, 0xab);
    const frame = encodeFrame(
      { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: CoreOpcode.BINARY, payload },
      RFC_MASK,
    );
    for (let cut = 0; cut < 14; cut++)
      expect(parseFrameHeader(frame.subarray(0, cut))).toBe(undefined);
    const header = parseFrameHeader(frame);
    expect(header).toMatchObject({ masked: true, payloadLength: 70_000, headerLength: 14 });
    expect([...(header?.mask ?? [])]).toEqual([...RFC_MASK]);
    const body = frame.subarray(14);
    expect(Buffer.from(unmask(body, header?.mask ?? RFC_MASK)).equals(payload)).toBe(true);
  });

  it('refuses a 64-bit length above 2^53 − 1 with a RangeError', () => {
    const header = Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => parseFrameHeader(header)).toThrow(RangeError);
  });

  it('refuses a control frame over 125 bytes with a RangeError', () => {
    expect(() => encodeServerFrame(Opcode.PING, Buffer.alloc(126))).toThrow(RangeError);
    expect(encodeServerFrame(Opcode.PING, Buffer.alloc(125))).toHaveLength(127);
  });
});

describe('listen.ts', () => {
  it('listens again at once on a port whose last connection the server closed (SO_REUSEADDR)', async () => {
    const port = await serveOneAndStop('127.0.0.1');
    const restarted = createServer();
    servers.push(restarted);
    expect(await listen(restarted, { host: '127.0.0.1', port })).toBe(port);
  });

  it('still refuses a second listener on a port in use with EADDRINUSE', async () => {
    const port = await serve(() => {});
    const rival = createServer();
    await expect(listen(rival, { host: '127.0.0.1', port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('each file run as the lesson says', () => {
  const run = promisify(execFile);
  test.each([
    ['accept-key.ts', 'dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
    ['upgrade-request.ts', '  sec-websocket-version: 13'],
    ['handshake-response.ts', 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
    ['frame-header.ts', 'length 65536 (64-bit), header 10 bytes'],
    ['unmask.ts', '7f 9f 4d 51 58 → Hello'],
    ['encode-frame.ts', '70000 bytes → 82 7f 00 00 00 00 00 01 11 70'],
    ['listen.ts', 'EADDRINUSE'],
  ])('%s prints "%s"', async (file, expected) => {
    const path = fileURLToPath(new URL(`../src/plain/${file}`, import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path], { timeout: 20_000 });
    expect(stdout).toContain(expected);
  });
});
