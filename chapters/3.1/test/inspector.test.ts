/**
 * The frame inspector: its description of a frame (byte vectors for the three length forms,
 * masked and not), the tap that finds frames in a byte stream (whole, split at every offset,
 * a byte at a time), the server with a real client, the page in Chromium, and the command line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runChapter } from '@course/course-kit';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import { until, within } from '@course/course-kit/testing/waits';
import { computeAcceptKey, encodeFrame, frame, Opcode } from '@course/ws-core';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { chapter } from '../src/chapter.ts';
import { ConnectionTap, type TapEvent } from '../src/inspector/connection-tap.ts';
import {
  captureFrame,
  describeFrame,
  type FrameCapture,
  type FrameDescription,
  hexOf,
} from '../src/inspector/describe-frame.ts';
import { fragmentMessage } from '../src/inspector/fragment.ts';
import { FrameTap } from '../src/inspector/frame-tap.ts';
import {
  CLOSE_GRACE_MS,
  type InspectorServer,
  MAX_MESSAGE,
  PING_PAYLOAD,
  type Report,
  startInspector,
} from '../src/inspector/inspector-server.ts';

const RESULTS = new URL('../test-results/', import.meta.url);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** RFC 6455 §5.7's masking key, so the masked bytes below are the RFC's own. */
const KEY = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const bytes = (text: string) => Uint8Array.from(text.split(' ').map((b) => Number.parseInt(b, 16)));
const describeBytes = (frameBytes: Uint8Array, messageOpcode?: number) =>
  describeFrame(captureFrame(frameBytes, messageOpcode));
const fieldNamed = (description: FrameDescription, name: string) =>
  description.fields.find((field) => field.name.startsWith(name));

describe('describeFrame', () => {
  it('reads RFC 6455 §5.7’s masked "Hello" bit by bit and unmasks it with the key', () => {
    const d = describeBytes(bytes('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(d).toMatchObject({
      fin: 1,
      rsv1: 0,
      rsv2: 0,
      rsv3: 0,
      opcode: 1,
      opcodeName: 'text',
      mask: 1,
      lengthForm: 7,
      payloadLength: 5,
      headerLength: 6,
      header: '81 85 37 fa 21 3d',
      maskingKey: '37 fa 21 3d',
      text: 'Hello',
    });
    expect(d.fields.map((f) => [f.name, f.bits])).toEqual([
      ['FIN', '1'],
      ['RSV1', '0'],
      ['RSV2', '0'],
      ['RSV3', '0'],
      ['opcode', '0001'],
      ['MASK', '1'],
      ['payload len', '0000101'],
      ['masking key', '00110111 11111010 00100001 00111101'],
    ]);
    expect(d.payload.head).toEqual([
      { offset: 0, wire: 0x7f, key: 0x37, clear: 0x48 },
      { offset: 1, wire: 0x9f, key: 0xfa, clear: 0x65 },
      { offset: 2, wire: 0x4d, key: 0x21, clear: 0x6c },
      { offset: 3, wire: 0x51, key: 0x3d, clear: 0x6c },
      { offset: 4, wire: 0x58, key: 0x37, clear: 0x6f },
    ]);
    expect(d.payload).toMatchObject({ elided: 0, tail: [] });
  });

  it('reads the unmasked "Hello" a server sends: MASK = 0, no key, bytes as sent', () => {
    const d = describeBytes(bytes('81 05 48 65 6c 6c 6f'));
    expect(d).toMatchObject({ mask: 0, maskingKey: null, headerLength: 2, text: 'Hello' });
    expect(fieldNamed(d, 'MASK')?.note).toContain('a server must never mask');
    expect(fieldNamed(d, 'masking key')).toBeUndefined();
    expect(d.payload.head[0]).toEqual({ offset: 0, wire: 0x48, clear: 0x48 });
  });

  it('reads a masked 300-byte frame: 126, then 16 bits of length, and elides the middle', () => {
    const payload = Buffer.alloc(300, 'a');
    const frameBytes = encodeFrame(frame(Opcode.BINARY, payload), KEY);
    expect(hexOf(frameBytes.subarray(0, 8))).toBe('82 fe 01 2c 37 fa 21 3d');
    const d = describeBytes(frameBytes);
    expect(d).toMatchObject({ lengthForm: 16, payloadLength: 300, headerLength: 8, mask: 1 });
    expect(fieldNamed(d, 'payload len')).toMatchObject({ bits: '1111110', value: '126' });
    expect(fieldNamed(d, 'extended payload length')).toMatchObject({
      name: 'extended payload length (16 bits)',
      at: 'bytes 2–3',
      bits: '00000001 00101100',
      value: '300',
    });
    expect(fieldNamed(d, 'masking key')?.at).toBe('bytes 4–7');
    expect(d.payload.head).toHaveLength(16);
    expect(d.payload.elided).toBe(280);
    expect(d.payload.tail.map((b) => b.offset)).toEqual([296, 297, 298, 299]);
    // Byte 297 was masked with key byte 297 mod 4 = 1.
    expect(d.payload.tail[1]).toEqual({ offset: 297, wire: 0x61 ^ 0xfa, key: 0xfa, clear: 0x61 });
  });

  it('reads an unmasked 70,000-byte frame: 127, then 64 bits of length', () => {
    const d = describeBytes(encodeFrame(frame(Opcode.BINARY, Buffer.alloc(70_000, 0xab))));
    expect(d).toMatchObject({ lengthForm: 64, payloadLength: 70_000, headerLength: 10, mask: 0 });
    expect(d.header).toBe('82 7f 00 00 00 00 00 01 11 70');
    expect(fieldNamed(d, 'payload len')).toMatchObject({ bits: '1111111', value: '127' });
    expect(fieldNamed(d, 'extended payload length')).toMatchObject({
      at: 'bytes 2–9',
      bits: '00000000 00000000 00000000 00000000 00000000 00000001 00010001 01110000',
      value: '70000',
    });
    expect(d.payload.elided).toBe(70_000 - 16 - 4);
    expect(d.payload.tail.at(-1)).toEqual({ offset: 69_999, wire: 0xab, clear: 0xab });
  });

  it.each([
    [0, 7, 6],
    [125, 7, 6],
    [126, 16, 8],
    [65_535, 16, 8],
    [65_536, 64, 14],
  ])(
    'a masked %i-byte payload uses the %i-bit form and a %i-byte header',
    (length, form, headerLength) => {
      const d = describeBytes(encodeFrame(frame(Opcode.BINARY, new Uint8Array(length)), KEY));
      expect(d).toMatchObject({ lengthForm: form, headerLength, payloadLength: length });
      const shown = d.payload.head.length + d.payload.elided + d.payload.tail.length;
      expect(shown).toBe(length);
    },
  );

  it('reads a close frame’s code and reason, and says when a close frame has no code', () => {
    const payload = Buffer.concat([Uint8Array.from([0x0f, 0xa1]), Buffer.from('done')]);
    expect(describeBytes(encodeFrame(frame(Opcode.CLOSE, payload), KEY)).close).toEqual({
      code: 4001,
      reason: 'done',
    });
    const empty = describeBytes(bytes('88 00'));
    expect(empty).toMatchObject({ control: true, opcodeName: 'close' });
    expect(empty.close).toEqual({ code: null, reason: '' });
  });

  it('shows ping data as text when it is text, and a text message’s continuation as text', () => {
    expect(describeBytes(encodeFrame(frame(Opcode.PONG, 'hi'), KEY)).text).toBe('hi');
    expect(describeBytes(bytes('89 02 ff fe')).text).toBeUndefined();
    const continuation = bytes('80 03 61 62 63');
    expect(describeBytes(continuation, Opcode.TEXT).text).toBe('abc');
    expect(describeBytes(continuation, Opcode.BINARY).text).toBeUndefined();
    expect(fieldNamed(describeBytes(continuation), 'FIN')?.note).toBe(
      'the last frame of its message',
    );
  });

  it('marks a text preview cut short with "…" when the payload is longer than what was kept', () => {
    const d = describeBytes(encodeFrame(frame(Opcode.TEXT, 'x'.repeat(300))));
    expect(d.text).toBe(`${'x'.repeat(125)}…`);
  });
});

/** The frames a student produces in one session, as a browser and a server would send them. */
function sessionFrames(): Uint8Array[] {
  return [
    encodeFrame(frame(Opcode.TEXT, 'Hello'), KEY),
    encodeFrame(frame(Opcode.BINARY, Buffer.alloc(300, 7)), KEY),
    encodeFrame(frame(Opcode.TEXT, 'frag', false), KEY),
    encodeFrame(frame(Opcode.PING, 'in between'), KEY), // control frames may interleave (§5.4)
    encodeFrame(frame(Opcode.CONTINUATION, 'ment', true), KEY),
    encodeFrame(frame(Opcode.BINARY, Buffer.alloc(0))),
    encodeFrame(frame(Opcode.CLOSE, Uint8Array.from([0x03, 0xe8])), KEY),
  ];
}

function tapAll(chunks: Uint8Array[]): FrameCapture[] {
  const captures: FrameCapture[] = [];
  const tap = new FrameTap((capture) => captures.push(capture));
  for (const chunk of chunks) tap.push(chunk);
  return captures;
}

describe('FrameTap', () => {
  const frames = sessionFrames();
  const stream = Buffer.concat(frames);
  const expected = [
    captureFrame(frames[0] as Uint8Array),
    captureFrame(frames[1] as Uint8Array),
    captureFrame(frames[2] as Uint8Array),
    captureFrame(frames[3] as Uint8Array),
    captureFrame(frames[4] as Uint8Array, Opcode.TEXT),
    captureFrame(frames[5] as Uint8Array),
    captureFrame(frames[6] as Uint8Array),
  ];

  it('finds each frame of a stream fed whole, and keeps what captureFrame keeps', () => {
    expect(tapAll([stream])).toEqual(expected);
  });

  it('finds the same frames when the stream is split at every offset', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(tapAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
  });

  it('finds the same frames fed one byte at a time, a 70 KB frame included', () => {
    const big = encodeFrame(frame(Opcode.BINARY, Buffer.alloc(70_000, 0x5a)), KEY);
    const all = Buffer.concat([stream, big]);
    const oneByOne = [...all].map((b) => Uint8Array.of(b));
    expect(tapAll(oneByOne)).toEqual([...expected, captureFrame(big)]);
  });

  it('finds the same frames however the stream is chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(tapAll(chunks)).toEqual(expected);
        },
      ),
    );
  });

  it('keeps only the ends of a payload: what it holds does not grow with the frame', () => {
    const [capture] = tapAll([encodeFrame(frame(Opcode.BINARY, Buffer.alloc(1_000_000)), KEY)]);
    expect(capture?.payloadLength).toBe(1_000_000);
    expect(capture?.head.length).toBe(125);
    expect(capture?.tail.length).toBe(4);
  });

  it('stops, and says why, on a 64-bit length with its top bit set (§5.2)', () => {
    const errors: string[] = [];
    const captures: FrameCapture[] = [];
    const tap = new FrameTap(
      (capture) => captures.push(capture),
      (error) => errors.push(error.message),
    );
    tap.push(bytes('82 7f 80 00 00 00 00 00 00 01'));
    tap.push(bytes('81 00'));
    expect(errors).toEqual(['frame length has the most significant bit set']);
    expect(captures).toEqual([]);
  });
});

describe('fragmentMessage', () => {
  it('splits a message into a first frame, continuations, and a final FIN = 1', () => {
    const frames = fragmentMessage(Opcode.TEXT, Buffer.from('Hello, world'), 3);
    expect(frames.map((f) => [f.opcode, f.fin])).toEqual([
      [Opcode.TEXT, false],
      [Opcode.CONTINUATION, false],
      [Opcode.CONTINUATION, true],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).toString()).toBe('Hello, world');
  });

  it('sends a short or empty message in no more frames than it has bytes, at least one', () => {
    expect(fragmentMessage(Opcode.BINARY, Buffer.from('ab'), 5)).toHaveLength(2);
    const [only, ...rest] = fragmentMessage(Opcode.TEXT, Buffer.alloc(0), 4);
    expect(only).toMatchObject({ opcode: Opcode.TEXT, fin: true });
    expect(rest).toEqual([]);
  });
});

describe('ConnectionTap', () => {
  const request =
    'GET /lab?id=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  const response =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
  const hello = encodeFrame(frame(Opcode.TEXT, 'Hello'), KEY);
  const echo = encodeFrame(frame(Opcode.TEXT, 'Hello'));

  function follow(feed: (tap: ConnectionTap) => void): TapEvent[] {
    const events: TapEvent[] = [];
    const tap = new ConnectionTap((event) => events.push(event));
    feed(tap);
    return events;
  }

  it('reports both heads exactly as sent, then each side’s frames', () => {
    const events = follow((tap) => {
      // The request head in two reads, the first frame in the same read as its end.
      tap.push('client', Buffer.from(request.slice(0, 30), 'latin1'));
      tap.push('client', Buffer.concat([Buffer.from(request.slice(30), 'latin1'), hello]));
      tap.push('server', Buffer.concat([Buffer.from(response, 'latin1'), echo]));
    });
    expect(events.map((e) => (e.type === 'frame' ? `${e.from} frame` : e.type))).toEqual([
      'request',
      'client frame',
      'response',
      'server frame',
    ]);
    expect(events[0]).toMatchObject({ type: 'request', text: request });
    expect(events[2]).toMatchObject({ type: 'response', text: response });
    expect(events[1]).toMatchObject({ capture: captureFrame(hello) });
    expect(events[3]).toMatchObject({ capture: captureFrame(echo) });
  });

  it('reads no frames after a refusal, and nothing at all once stopped', () => {
    const refused = follow((tap) => {
      tap.push('client', Buffer.from(request, 'latin1'));
      tap.push('server', Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
      tap.push('server', echo);
    });
    expect(refused.map((e) => e.type)).toEqual(['request', 'response']);
    const stopped = follow((tap) => {
      tap.stop();
      tap.push('client', Buffer.from(request, 'latin1'));
    });
    expect(stopped).toEqual([]);
  });

  it('gives up on a head that is too long, with the reason', () => {
    const events = follow((tap) => tap.push('client', Buffer.alloc(9000, 'a')));
    expect(events).toEqual([
      { type: 'unreadable', from: 'client', message: 'request head exceeds 8192 bytes' },
    ]);
  });
});

/** A page's two connections, opened the way inspector.js opens them, with the `ws` package. */
async function openPage(inspector: InspectorServer) {
  const reports: Report[] = [];
  const report = new WebSocket(`${inspector.url}report`);
  report.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
  await until(() => reports.some((r) => r.type === 'hello'), 5000, 'the hello report');
  const hello = reports.find((r) => r.type === 'hello');
  const id = hello?.type === 'hello' ? hello.id : '';
  const lab = new WebSocket(`${inspector.url}lab?id=${id}`);
  await within(new Promise((resolve) => lab.once('open', resolve)), 5000, 'the lab to open');
  const frames = (from: 'client' | 'server') =>
    reports.flatMap((r) => (r.type === 'frame' && r.from === from ? [r.frame] : []));
  return { report, lab, reports, frames };
}

describe('the inspector server, with a real client', () => {
  let inspector: InspectorServer;
  beforeAll(async () => {
    inspector = await startInspector({ port: 0 });
  });
  afterAll(async () => {
    await inspector?.close();
  });

  it('reports the handshake and each frame both ways, parsed from the raw bytes', async () => {
    const page = await openPage(inspector);
    page.lab.send(Buffer.alloc(300, 1));
    await until(() => page.frames('server').length === 1, 5000, 'the echo’s report');
    const [sent] = page.frames('client');
    const [echoed] = page.frames('server');
    expect(sent).toMatchObject({
      opcodeName: 'binary',
      lengthForm: 16,
      mask: 1,
      payloadLength: 300,
    });
    expect(echoed).toMatchObject({
      opcodeName: 'binary',
      lengthForm: 16,
      mask: 0,
      payloadLength: 300,
    });
    const handshake = page.reports.filter((r) => r.type === 'handshake');
    expect(handshake.map((r) => r.type === 'handshake' && r.text.split('\r\n')[0])).toEqual([
      expect.stringMatching(/^GET \/lab\?id=\S+ HTTP\/1\.1$/),
      'HTTP/1.1 101 Switching Protocols',
    ]);
    page.report.close();
    page.lab.close();
  });

  it('splits its reply into the fragments the page asked for', async () => {
    const page = await openPage(inspector);
    page.report.send(JSON.stringify({ type: 'reply', fragments: 3 }));
    await until(() => page.reports.some((r) => r.type === 'reply-set'), 5000, 'reply-set');
    const received = new Promise((resolve) => page.lab.once('message', resolve));
    page.lab.send('Hello, world');
    expect(String(await within(received, 5000, 'the echo'))).toBe('Hello, world');
    await until(() => page.frames('server').length === 3, 5000, 'three reply frames');
    expect(page.frames('server').map((f) => [f.opcodeName, f.fin, f.text])).toEqual([
      ['text', 0, 'Hell'],
      ['continuation', 0, 'o, w'],
      ['continuation', 1, 'orld'],
    ]);
    page.report.close();
    page.lab.close();
  });

  it('pings the lab connection when asked, and shows the client’s pong', async () => {
    const page = await openPage(inspector);
    page.report.send(JSON.stringify({ type: 'ping' }));
    await until(() => page.frames('client').length === 1, 5000, 'the pong’s report');
    expect(page.frames('server')).toMatchObject([
      { opcodeName: 'ping', mask: 0, text: PING_PAYLOAD },
    ]);
    expect(page.frames('client')).toMatchObject([
      { opcodeName: 'pong', mask: 1, text: PING_PAYLOAD },
    ]);
    page.report.close();
    page.lab.close();
  });

  it('refuses a lab connection that names no page, before the 101', async () => {
    const lab = new WebSocket(`${inspector.url}lab?id=nobody`);
    const status = await within(
      new Promise<number | undefined>((resolve) => {
        lab.once('unexpected-response', (_request, response) => resolve(response.statusCode));
        lab.once('error', () => resolve(undefined));
      }),
      5000,
      'the refusal',
    );
    expect(status).toBe(403);
  });
});

/** A binary frame of `size` bytes (< 65536), masked with the all-zero key: the payload as is. */
function zeroMaskedFrame(size: number): Buffer {
  const head = Buffer.from([0x82, 0x80 | 126, size >> 8, size & 0xff, 0, 0, 0, 0]);
  return Buffer.concat([head, Buffer.alloc(size, 0x61)]);
}

describe('the inspector server, stopping and failing', () => {
  const sockets: Socket[] = [];
  const clients: WebSocket[] = [];
  let inspector: InspectorServer | undefined;
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const client of clients.splice(0)) client.terminate();
    await within(inspector?.close() ?? Promise.resolve(), 10_000, 'the inspector to close');
    inspector = undefined;
  });

  it('closes within a bounded time while a lab peer has stopped reading its echoes', async () => {
    inspector = await startInspector({ port: 0 });
    const page = await openPage(inspector);
    clients.push(page.report, page.lab);
    const hello = page.reports.find((r) => r.type === 'hello');
    const id = hello?.type === 'hello' ? hello.id : '';
    // A raw client, so nothing reads for it: it sends its upgrade and frames, then never reads.
    const raw = connect(inspector.port, '127.0.0.1');
    sockets.push(raw);
    raw.on('error', () => {}); // destroyed by the close under test
    let head = '';
    const upgraded = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        raw.off('data', onData);
        raw.pause();
        resolve();
      };
      raw.on('data', onData);
    });
    raw.write(
      `GET /lab?id=${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await within(upgraded, 5000, 'the 101 for the raw lab client');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    // 32 MB of echoes fill every buffer on the way back (the server's, the relay's, the
    // kernel's), so the raw client's own writes back up: the inspector is blocked on it.
    const frame = zeroMaskedFrame(60_000);
    for (let sent = 0; sent < 32 * 1024 * 1024; sent += frame.length) raw.write(frame);
    await until(
      () => raw.writableLength > 0 && page.frames('client').length > 0,
      10_000,
      'the raw client’s writes to back up behind echoes it does not read',
    );
    const started = performance.now();
    await within(
      inspector.close(),
      CLOSE_GRACE_MS + 5000,
      'close() while a lab peer is not reading (its close frame waits behind unread echoes)',
    );
    inspector = undefined;
    expect(performance.now() - started).toBeGreaterThanOrEqual(CLOSE_GRACE_MS - 50);
    // Reading again, the raw client gets what was sent to it, then finds its connection cut.
    const cutOff = new Promise((resolve) => raw.once('close', resolve));
    raw.resume();
    await within(cutOff, 5000, 'the raw client to be cut off');
  }, 30_000);

  it('logs a message over maxPayload once for its connection, however many reads it spans', async () => {
    const lines: string[] = [];
    inspector = await startInspector({ port: 0, log: (line) => lines.push(line) });
    const page = await openPage(inspector);
    clients.push(page.report, page.lab);
    const closed = new Promise<number>((resolve) => page.lab.once('close', resolve));
    page.lab.send(Buffer.alloc(4 * MAX_MESSAGE)); // 4 MiB: dozens of reads after its header
    expect(await within(closed, 10_000, 'the lab to close with 1009')).toBe(1009);
    // The client hears the close only once the server's socket is gone: every read was logged.
    const tooBig = lines.filter((line) => line.includes('exceeds maxPayload'));
    expect(tooBig, lines.join('\n')).toHaveLength(1);
  }, 30_000);
});

describe.runIf(shouldRunBrowserTests())('the inspector page in Chromium', () => {
  let inspector: InspectorServer;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    inspector = await startInspector({ port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(inspector.url.replace('ws:', 'http:'));
    await page.locator('#status', { hasText: 'connected' }).waitFor({ timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await inspector?.close();
  });

  const card = (from: 'client' | 'server', attributes: Record<string, string | number>) =>
    page.locator(
      `li.frame[data-from="${from}"]${Object.entries(attributes)
        .map(([name, value]) => `[data-${name}="${value}"]`)
        .join('')}`,
    );

  /** Sends a message of `size` bytes and waits for the page's note about THIS message. */
  async function send(size: number) {
    const note = page.locator('li.received', {
      hasText: `got one ${size.toLocaleString('en')} B`,
    });
    // An earlier message of the same size left a note too: wait for one more than there was.
    const before = await note.count();
    await page.fill('#size', String(size));
    await page.click('#send');
    await note.nth(before).waitFor({ timeout: 10_000 });
  }

  it('shows the handshake the browser sent and the server’s 101, with a matching accept', async () => {
    const request = (await page.locator('#handshake-request').textContent()) ?? '';
    const response = (await page.locator('#handshake-response').textContent()) ?? '';
    expect(request).toMatch(/^GET \/lab\?id=\S+ HTTP\/1\.1\\r\\n$/m);
    expect(response).toMatch(/^HTTP\/1\.1 101 Switching Protocols\\r\\n$/m);
    const key = /^Sec-WebSocket-Key: (\S+)\\r\\n$/m.exec(request)?.[1] ?? '';
    expect(response).toContain(`Sec-WebSocket-Accept: ${computeAcceptKey(key)}\\r\\n`);
  });

  it.each([
    [5, 7],
    [300, 16],
    [70_000, 64],
  ])(
    'shows a %i B message in the %i-bit form, MASK = 1 from the browser and 0 back',
    async (size, form) => {
      await send(size);
      const fromBrowser = card('client', { 'payload-length': size, opcode: 'text' }).last();
      const fromServer = card('server', { 'payload-length': size, opcode: 'text' }).last();
      await fromBrowser.waitFor({ timeout: 10_000 });
      await fromServer.waitFor({ timeout: 10_000 });
      for (const [frameCard, mask] of [
        [fromBrowser, 1],
        [fromServer, 0],
      ] as const) {
        expect(await frameCard.getAttribute('data-length-form')).toBe(String(form));
        expect(await frameCard.getAttribute('data-mask')).toBe(String(mask));
        const text = (await frameCard.textContent()) ?? '';
        expect(text).toContain(`MASK = ${mask}`);
        expect(text).toContain(`${form}-bit length`);
      }
      expect(await fromBrowser.textContent()).toContain('masking key');
      if (size === 300) {
        mkdirSync(RESULTS, { recursive: true });
        await fromBrowser.evaluate((node) => node.scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: new URL('inspector-300b.png', RESULTS).pathname });
      }
    },
    30_000,
  );

  it('shows the server’s reply in the fragments asked for', async () => {
    await page.fill('#fragments', '3');
    await send(5);
    await card('server', { opcode: 'continuation', fin: 1 }).last().waitFor({ timeout: 10_000 });
    expect(await card('server', { opcode: 'continuation' }).count()).toBe(2);
    await page.fill('#fragments', '1');
  });

  it('shows the server’s ping and the pong the browser answered with', async () => {
    await page.click('#ping');
    const pong = card('client', { opcode: 'pong', mask: 1 });
    await pong.waitFor({ timeout: 10_000 });
    expect(await pong.textContent()).toContain(PING_PAYLOAD);
    expect(await card('server', { opcode: 'ping', mask: 0 }).count()).toBe(1);
  });

  it('shows the close frame the page sent, with its code, and the server’s echo', async () => {
    await page.fill('#close-code', '4001');
    await page.fill('#close-reason', 'done');
    await page.click('#close');
    await page.locator('#status', { hasText: 'closed: code 4001' }).waitFor({ timeout: 10_000 });
    const fromBrowser = card('client', { opcode: 'close', mask: 1 });
    const fromServer = card('server', { opcode: 'close', mask: 0 });
    await fromServer.waitFor({ timeout: 10_000 });
    expect(await fromBrowser.textContent()).toContain('close code 4001, reason "done"');
    expect(await fromServer.textContent()).toContain('close code 4001');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});

describe('npm run chapter:3.1 -- inspect', () => {
  it('is listed, marked to run by name only, and takes --host and --port', async () => {
    let out = '';
    const io = {
      stdout: (text: string) => {
        out += text;
      },
      stderr: () => {},
      color: false,
      signal: new AbortController().signal,
    };
    expect(await runChapter(chapter, ['--list'], io)).toBe(0);
    expect(out).toMatch(/^inspect {2}The frame inspector — .+ \(run by name only\)$/m);
    expect(await runChapter(chapter, ['--help'], io)).toBe(0);
    expect(out).toMatch(/--port <value>\s+\(3\.1\.4, inspect\)/);
  });

  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the listening line, serves the page, and stops on Ctrl-C with 1001 for the page', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'inspect', '--port', '0'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    // 'close', not 'exit': only then has the last of stdout been read from the pipe.
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await until(
      () => /^listening on ws:\/\/127\.0\.0\.1:\d+\/$/m.test(stdout),
      20_000,
      'the listening line',
    );
    const url = /^listening on (\S+)$/m.exec(stdout)?.[1] ?? '';
    const page = await fetch(url.replace('ws:', 'http:'));
    expect(await page.text()).toContain('<title>Frame inspector');
    const report = new WebSocket(`${url}report`);
    await within(new Promise((resolve) => report.once('message', resolve)), 5000, 'the hello');
    const closed = new Promise<number>((resolve) => report.once('close', resolve));
    child.kill('SIGINT');
    expect(await within(closed, 10_000, 'the report connection to close')).toBe(1001);
    expect(await within(exited, 10_000, 'the chapter to exit')).toBe(0);
    expect(stdout).toContain('stopped');
  });
});
