/**
 * Real peers talk to the server: the `ws` client, a raw TCP socket that sends exactly the
 * bytes a test wants (split where it wants), and Chromium. The server runs on this thread;
 * every wait is bounded and says what did not arrive; every server, socket and browser is
 * stopped after its test.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type EchoServer, MAX_HEAD_BYTES, MAX_PAYLOAD, startEchoServer } from './08-echo-server.ts';

const WAIT_MS = 5_000;
const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const UPGRADE_REQUEST = [
  'GET /chat HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Key: ${RFC_KEY}`,
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');
const OPCODE_NAME: Record<number, string> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(): Promise<EchoServer> {
  const server = await startEchoServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close());
  return server;
}

/** A client frame, masked as RFC 6455 §5.3 requires of clients. */
function maskedFrame(opcode: number, payload: Uint8Array, fin = true): Buffer {
  const mask = randomBytes(4);
  const n = payload.length;
  const length =
    n < 126
      ? Buffer.from([0x80 | n])
      : n < 0x10000
        ? Buffer.from([0x80 | 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | 127, 0, 0, 0, 0]), uint32(n)]);
  const masked = Buffer.from(payload).map((byte, i) => byte ^ (mask[i % 4] ?? 0));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), length, mask, masked]);
}

function uint32(n: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(n);
  return bytes;
}

interface ServerFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

function describeFrame(frame: ServerFrame): string {
  const kind = OPCODE_NAME[frame.opcode] ?? `opcode 0x${frame.opcode.toString(16)}`;
  if (frame.opcode === 0x8 && frame.payload.length >= 2)
    return `a close frame with code ${frame.payload.readUInt16BE(0)}`;
  return `a ${kind} frame of ${frame.payload.length} bytes${frame.opcode === 0x1 ? ` ${preview(frame.payload)}` : ''}`;
}

/** Text as a student would want to see it: quoted, short, and flagged if it is not UTF-8. */
function preview(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  } catch {
    return '(not valid UTF-8)';
  }
}

/** A client on a bare TCP socket: writes any bytes and keeps every byte the server sends. */
class RawPeer {
  private bytes = Buffer.alloc(0);
  private ended = false;
  private readonly changed = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes = Buffer.concat([this.bytes, chunk]);
      for (const check of this.changed) check();
    });
    socket.on('close', () => {
      this.ended = true;
      for (const check of this.changed) check();
    });
    socket.on('error', () => {}); // shows up as a missing answer, which the waits name
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    cleanups.push(() => socket.destroy());
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawPeer(socket);
  }

  /**
   * Writes each piece in a read of its own. The server runs on this thread: once a write has
   * completed, two turns of the event loop include a whole poll phase, in which the server
   * reads those bytes before the next piece is sent.
   */
  async write(...pieces: Uint8Array[]): Promise<void> {
    for (const piece of pieces) {
      await new Promise<void>((resolve, reject) =>
        this.socket.write(piece, (error) => {
          if (!error) return resolve();
          const got = this.parsed().map(describeFrame).join(', ') || 'no frame';
          reject(
            new Error(
              `the server ended the connection while the test was still sending (it sent back ${got})`,
            ),
          );
        }),
      );
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Resolves with `read()`'s answer once it is not undefined; fails with `what` after WAIT_MS,
   * or as soon as the connection has ended without it.
   */
  until<T>(read: () => T | undefined, what: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = read();
        if (value === undefined && !this.ended) return;
        done();
        if (value === undefined) reject(new Error(what()));
        else resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(what()));
      }, WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        this.changed.delete(check);
      };
      this.changed.add(check);
      check();
    });
  }

  /** The response head, once it has arrived whole. */
  head(): Promise<string> {
    return this.until(
      () => {
        const end = this.bytes.indexOf('\r\n\r\n');
        return end < 0 ? undefined : this.bytes.subarray(0, end + 4).toString('latin1');
      },
      () =>
        this.bytes.length === 0
          ? `expected the 101 response, got nothing ${this.ended ? 'before the server ended the connection' : `within ${WAIT_MS / 1000} s`}`
          : `expected the 101 response to end with a blank line, got ${JSON.stringify(this.bytes.toString('latin1'))}`,
    );
  }

  /** The frames after the response head; waits until there are `count` of them. */
  frames(count: number, expected: string): Promise<ServerFrame[]> {
    return this.until(
      () => {
        const frames = this.parsed();
        return frames.length >= count ? frames : undefined;
      },
      () => {
        const got = this.parsed().map(describeFrame);
        const nothing = got.length === 0 ? 'nothing' : got.join(', ');
        const when = this.ended
          ? 'before the server ended the connection'
          : `within ${WAIT_MS / 1000} s`;
        return `expected ${expected} back, got ${nothing} ${when}`;
      },
    );
  }

  /** Resolves once the server has ended the connection. */
  end(after: string): Promise<true> {
    return this.until(
      () => (this.ended ? true : undefined),
      () => `expected the server to end the connection after ${after}, but it stayed open`,
    );
  }

  private parsed(): ServerFrame[] {
    const start = this.bytes.indexOf('\r\n\r\n');
    if (start < 0) return [];
    const bytes = this.bytes.subarray(start + 4);
    const frames: ServerFrame[] = [];
    let at = 0;
    while (bytes.length - at >= 2) {
      const first = bytes.readUInt8(at);
      const second = bytes.readUInt8(at + 1);
      let length = second & 0x7f;
      let payloadAt = at + 2;
      if (length === 126) {
        if (bytes.length < at + 4) break;
        length = bytes.readUInt16BE(at + 2);
        payloadAt = at + 4;
      } else if (length === 127) {
        if (bytes.length < at + 10) break;
        length = Number(bytes.readBigUInt64BE(at + 2));
        payloadAt = at + 10;
      }
      const masked = (second & 0x80) !== 0;
      if (masked) payloadAt += 4;
      if (bytes.length < payloadAt + length) break;
      frames.push({
        fin: (first & 0x80) !== 0,
        opcode: first & 0x0f,
        masked,
        payload: bytes.subarray(payloadAt, payloadAt + length),
      });
      at = payloadAt + length;
    }
    return frames;
  }
}

/** Connects, sends the upgrade request, and reads the 101 response. */
async function upgradedPeer(server: EchoServer): Promise<RawPeer> {
  const peer = await RawPeer.connect(server.port);
  await peer.write(Buffer.from(UPGRADE_REQUEST));
  const head = await peer.head();
  const status = head.split('\r\n')[0] ?? '';
  if (!/^HTTP\/1\.1 101\b/.test(status))
    expect.fail(`expected "HTTP/1.1 101 Switching Protocols", got "${status}"`);
  return peer;
}

function expectEcho(frame: ServerFrame | undefined, opcode: number, payload: Uint8Array): void {
  const want = `a ${OPCODE_NAME[opcode]} frame of ${payload.length} bytes`;
  if (!frame) expect.fail(`expected ${want} back, got nothing`);
  if (frame.masked) expect.fail('the server masked its frame: RFC 6455 §5.1 forbids it');
  if (frame.opcode !== opcode || !frame.fin || !frame.payload.equals(payload))
    expect.fail(`expected ${want} (FIN set) back, got ${describeFrame(frame)}`);
}

/** The request with one header line left out. */
function requestWithout(header: string): string {
  return UPGRADE_REQUEST.split('\r\n')
    .filter((line) => !line.toLowerCase().startsWith(`${header.toLowerCase()}:`))
    .join('\r\n');
}

/** The status line of the response to `request`, sent on a fresh connection. */
async function statusFor(server: EchoServer, request: Uint8Array): Promise<string> {
  const peer = await RawPeer.connect(server.port);
  await peer.write(request);
  return (await peer.head()).split('\r\n')[0] ?? '';
}

/** Waits for the server's close frame and checks its code, then that the connection ends. */
async function expectClose(peer: RawPeer, code: number, after: string): Promise<void> {
  const frames = await peer.frames(1, `a close frame with code ${code} after ${after}`);
  const close = frames.find((frame) => frame.opcode === 0x8);
  if (!close)
    expect.fail(
      `expected a close frame with code ${code} after ${after}, got ${frames.map(describeFrame).join(', ')}`,
    );
  if (close.payload.length < 2)
    expect.fail(`expected a close frame with code ${code} after ${after}, got one with no code`);
  expect(close.payload.readUInt16BE(0), `the close code after ${after}`).toBe(code);
  await peer.end(`its close frame ${code}`);
}

/** A `ws` client that keeps what it receives; the 'close' event tells how the server closed. */
async function openWs(server: EchoServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  cleanups.push(() => ws.terminate());
  const received: Array<{ data: Buffer; isBinary: boolean }> = [];
  const arrived = new Set<() => void>();
  ws.on('message', (data: Buffer, isBinary) => {
    received.push({ data, isBinary });
    for (const check of arrived) check();
  });
  let ending = '';
  ws.on('error', (error) => {
    ending ||= ` (the ws client failed: ${error.message})`;
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      ending ||= ` (the connection closed with code ${code})`;
      resolve({ code, reason: reason.toString() });
      for (const check of arrived) check(); // nothing more can arrive
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the ws client did not open within ${WAIT_MS / 1000} s`)),
      WAIT_MS,
    );
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the ws client could not open: ${error.message}`));
    });
  });
  /** Waits for the n-th message (0-based), naming what was expected. */
  const message = (n: number, expected: string) =>
    new Promise<{ data: Buffer; isBinary: boolean }>((resolve, reject) => {
      const fail = (when: string) => {
        clearTimeout(timer);
        arrived.delete(check);
        reject(new Error(`expected ${expected} back, got nothing ${when}${ending}`));
      };
      const check = () => {
        const got = received[n];
        if (!got) {
          if (ws.readyState === WebSocket.CLOSED) fail('before the connection closed');
          return;
        }
        clearTimeout(timer);
        arrived.delete(check);
        resolve(got);
      };
      const timer = setTimeout(() => fail(`within ${WAIT_MS / 1000} s`), WAIT_MS);
      arrived.add(check);
      check();
    });
  return { ws, message, closed };
}

describe('3.1/08 a WebSocket echo server on node:net', () => {
  it('answers the upgrade request with 101 Switching Protocols and the RFC accept key', async () => {
    const server = await startServer();
    const peer = await RawPeer.connect(server.port);
    await peer.write(Buffer.from(UPGRADE_REQUEST));
    const [status = '', ...lines] = (await peer.head()).split('\r\n');
    if (!/^HTTP\/1\.1 101\b/.test(status))
      expect.fail(`expected "HTTP/1.1 101 Switching Protocols", got "${status}"`);
    const header = (name: string) =>
      lines
        .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.slice(name.length + 1)
        .trim();
    const accept = header('Sec-WebSocket-Accept');
    if (accept === undefined) expect.fail('the 101 response lacked Sec-WebSocket-Accept');
    expect(accept, `Sec-WebSocket-Accept for the key ${RFC_KEY}`).toBe(RFC_ACCEPT);
    expect(header('Upgrade')?.toLowerCase(), 'the Upgrade header').toBe('websocket');
    expect(header('Connection')?.toLowerCase(), 'the Connection header').toContain('upgrade');
  });

  it('echoes text messages to the ws client, as text', async () => {
    const server = await startServer();
    const client = await openWs(server);
    const texts = ['hi', 'héllo wörld, 你好 🌍'];
    for (const [n, text] of texts.entries()) {
      client.ws.send(text);
      const echo = await client.message(n, `a text frame ${JSON.stringify(text)}`);
      if (echo.isBinary)
        expect.fail(`expected a text frame ${JSON.stringify(text)} back, got a binary frame`);
      expect(echo.data.toString(), 'the echoed text').toBe(text);
    }
  });

  it('echoes binary messages of 126 to 65535 bytes (the 16-bit length) to the ws client', async () => {
    const server = await startServer();
    const client = await openWs(server);
    const sizes = [125, 126, 127, 1000, 65_535];
    for (const [n, size] of sizes.entries()) {
      const payload = randomBytes(size);
      client.ws.send(payload);
      const echo = await client.message(n, `a binary frame of ${size} bytes`);
      if (!echo.isBinary) expect.fail(`expected a binary frame of ${size} bytes, got a text frame`);
      if (!echo.data.equals(payload))
        expect.fail(`the ${size}-byte binary echo differs from what was sent`);
    }
  });

  it('echoes a frame split across reads, and each of two frames sent in one read', async () => {
    const server = await startServer();
    const peer = await upgradedPeer(server);
    const text = Buffer.from('a message split across reads');
    const frame = maskedFrame(0x1, text);
    // Inside the first two header bytes, inside the mask, inside the payload.
    await peer.write(frame.subarray(0, 1), frame.subarray(1, 4), frame.subarray(4, 10));
    await peer.write(frame.subarray(10));
    const binary = randomBytes(300);
    const long = maskedFrame(0x2, binary); // 16-bit length, split inside it
    await peer.write(long.subarray(0, 3), long.subarray(3));
    await peer.write(
      Buffer.concat([maskedFrame(0x1, Buffer.from('one')), maskedFrame(0x1, Buffer.from('two'))]),
    );
    const [first, second, third, fourth] = await peer.frames(
      4,
      'the split text frame, the split 300-byte binary frame, then "one" and "two"',
    );
    expectEcho(first, 0x1, text);
    expectEcho(second, 0x2, binary);
    expectEcho(third, 0x1, Buffer.from('one'));
    expectEcho(fourth, 0x1, Buffer.from('two'));
  });

  it('answers a close with code 1000 with a close 1000, and ends the connection', async () => {
    const server = await startServer();
    const client = await openWs(server);
    client.ws.close(1000, 'done');
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `expected a close frame with code 1000 back and the connection ended, got nothing within ${WAIT_MS / 1000} s`,
            ),
          ),
        WAIT_MS,
      );
      client.closed.then((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    if (closed.code === 1006)
      expect.fail(
        'expected a close frame with code 1000 back, but the connection ended without one',
      );
    expect(closed.code, 'the code of the close frame the server sent back').toBe(1000);
  });

  it('answers a ping with a pong carrying the same payload (RFC 6455 §5.5.2)', async () => {
    const server = await startServer();
    const peer = await upgradedPeer(server);
    const data = Buffer.from('are you there?');
    await peer.write(maskedFrame(0x9, data));
    const [pong] = await peer.frames(
      1,
      `a pong frame with the ping's ${data.length} bytes ${preview(data)}`,
    );
    expectEcho(pong, 0xa, data);
  });

  it('fails the connection with close 1002 on an unmasked client frame (RFC 6455 §5.1)', async () => {
    const server = await startServer();
    const peer = await upgradedPeer(server);
    const unmasked = Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('hi')]);
    await peer.write(unmasked);
    await expectClose(peer, 1002, 'an unmasked text frame "hi"');
  });

  it(`closes with 1009 a frame announcing more than MAX_PAYLOAD (${MAX_PAYLOAD} bytes), before its payload arrives`, async () => {
    const server = await startServer();
    const peer = await upgradedPeer(server);
    // Only the header: a server that waits to buffer the payload first never answers.
    const header = Buffer.concat([
      Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0]),
      uint32(MAX_PAYLOAD + 1),
      randomBytes(4),
    ]);
    await peer.write(header);
    await expectClose(peer, 1009, `the header of a ${MAX_PAYLOAD + 1}-byte binary frame`);
  });

  it(`refuses with 431 a request head with no blank line after MAX_HEAD_BYTES (${MAX_HEAD_BYTES} bytes)`, async () => {
    const server = await startServer();
    const filler = `X-Filler: ${'a'.repeat(MAX_HEAD_BYTES + 1024)}\r\n`;
    const status = await statusFor(server, Buffer.from(`GET /chat HTTP/1.1\r\n${filler}`));
    if (!/^HTTP\/1\.1 431\b/.test(status))
      expect.fail(
        `sent ${MAX_HEAD_BYTES + 1024}+ bytes of request head with no blank line; expected "HTTP/1.1 431 Request Header Fields Too Large", got "${status}"`,
      );
  });

  it('refuses with 400 an upgrade request with no Sec-WebSocket-Key (RFC 6455 §4.2.1)', async () => {
    const server = await startServer();
    const status = await statusFor(server, Buffer.from(requestWithout('Sec-WebSocket-Key')));
    if (!/^HTTP\/1\.1 400\b/.test(status))
      expect.fail(
        `sent an upgrade request with no Sec-WebSocket-Key; expected "HTTP/1.1 400 Bad Request", got "${status}"`,
      );
  });

  it.skipIf(!shouldRunBrowserTests())('echoes text to a Chromium page', async () => {
    const server = await startServer();
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>3.1/08 echo</title>');
    // A string, so the page's own WebSocket runs it (this file is typed for Node, not the DOM).
    const result = (await page.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket('ws://127.0.0.1:${server.port}/');
      const timer = setTimeout(() => resolve({ failure: 'got nothing within ${WAIT_MS / 1000} s' }), ${WAIT_MS});
      ws.onerror = () => resolve({ failure: 'Chromium could not open the WebSocket (check the 101 response)' });
      ws.onopen = () => ws.send('hello from Chromium');
      ws.onmessage = (event) => {
        clearTimeout(timer);
        ws.close(1000);
        resolve({ echo: typeof event.data === 'string' ? event.data : '(a binary frame)' });
      };
    })`)) as { echo?: string; failure?: string };
    if (result.failure)
      expect.fail(`expected a text frame "hello from Chromium" back: ${result.failure}`);
    expect(result.echo, 'what Chromium received').toBe('hello from Chromium');
  });
});
