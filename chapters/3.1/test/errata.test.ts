/**
 * One test (or more) per erratum of the original chapter 3.1 — docs/chapter-3.1.md lists
 * them by these names. Where it helps, the original's code (ported in src/original-code.ts)
 * is run next to ours, so a mistake is shown failing, and a claim shown true, not just described.
 */

import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { until } from '@course/course-kit/testing/waits';
import {
  computeAcceptKey,
  connect,
  createServer,
  decodeFrameHeader,
  encodeFrame,
  formatSwitchingProtocols,
  formatUpgradeRequest,
  HandshakeError,
  HttpRequestParser,
  HttpResponseParser,
  Opcode,
  Protocol,
} from '@course/ws-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type CourseServer, startCourseServer } from '../src/course-server.ts';
import { type Answer, startImpostor } from '../src/impostor.ts';
import {
  ORIGINAL_SAMPLE_REQUEST,
  originalFindKey,
  originalHandshakeResponse,
  originalRecvData,
  originalSendDataHeader,
} from '../src/original-code.ts';
import { exchangeRaw, requestHead } from '../src/raw-http.ts';
import { acceptWithoutGuid } from '../src/sections/magic-guid.ts';
import { startWireTap } from '../src/wire-tap.ts';
import { RawClient } from './helpers.ts';

const MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const text = (payload: string, fin = true, opcode: number = Opcode.TEXT) => ({
  fin,
  rsv1: false,
  rsv2: false,
  rsv3: false,
  opcode,
  payload: Buffer.from(payload),
});

let server: CourseServer;
beforeAll(async () => {
  server = await startCourseServer({ port: 0 });
});
afterAll(() => server.close());

const upgradeLines = (key = 'dGhlIHNhbXBsZSBub25jZQ==') => [
  'GET /echo HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Key: ${key}`,
  'Sec-WebSocket-Version: 13',
];

/** Opens a `ws` client against an impostor answering with `answer`; resolves how it ended. */
async function wsAgainst(answer: Answer, protocols?: string[]) {
  const impostor = await startImpostor(answer);
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${impostor.port}/chat`, protocols);
    return await new Promise<{ opened: boolean; protocol: string; error?: string; code?: number }>(
      (resolve) => {
        let error: string | undefined;
        let opened = false;
        socket.on('open', () => {
          opened = true;
        });
        socket.on('error', (e) => {
          error = e.message;
        });
        socket.on('close', (code) => resolve({ opened, protocol: socket.protocol, error, code }));
        socket.on('message', () => socket.close());
        // Every case ends the connection itself (an error or a close); this only ends a hang.
        setTimeout(() => socket.terminate(), 10_000).unref();
      },
    );
  } finally {
    await impostor.close();
  }
}

describe('errata: the handshake text of 3.1.1', () => {
  it('refuses the original sample request: its Sec-WebSocket-Key is not 16 bytes in base64', async () => {
    // 16 bytes in base64 are 24 characters ending in "=="; the sample's key has 19.
    expect('xsdouiaDDBub25jZQ==').toHaveLength(19);
    expect(Buffer.from('dGhlIHNhbXBsZSBub25jZQ==', 'base64')).toHaveLength(16);
    const answer = await exchangeRaw(server, ORIGINAL_SAMPLE_REQUEST);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('sec-websocket-key must be 16 bytes in base64');
  });

  it('sends an accept value of 28 base64 characters (a 20-byte SHA-1), unlike the sample’s 21', () => {
    const accept = computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==');
    expect(accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(Buffer.from(accept, 'base64')).toHaveLength(20);
    expect('s3psauiodASDZRbK+xOo=').toHaveLength(21);
  });

  it('answers with the status line "101 Switching Protocols", not "Switching Protocol"', async () => {
    const answer = await exchangeRaw(server, requestHead(upgradeLines()));
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('sends no Sec-WebSocket-Protocol when the client offered none', async () => {
    const answer = await exchangeRaw(server, requestHead(upgradeLines()));
    expect(answer).not.toMatch(/sec-websocket-protocol/i);
  });

  it('is refused by the ws package when it claims a subprotocol the client did not offer', async () => {
    const result = await wsAgainst((decision) =>
      formatSwitchingProtocols({ ...decision, protocol: 'chat' }),
    );
    expect(result.opened).toBe(false);
    expect(result.error).toMatch(/subprotocol/i);
  });

  it('gains nothing from the hixie-era Websocket-Location and Websocket-Protocol headers', async () => {
    // The original's HANDSHAKE_STRING: a real client ignores both headers, so its
    // "Websocket-Protocol:chat" selects no subprotocol at all.
    const result = await wsAgainst(
      (decision) => originalHandshakeResponse(decision.accept, '127.0.0.1:1234'),
      ['chat'],
    );
    expect(result.opened).toBe(false);
    expect(result.error).toMatch(/subprotocol/i); // offered "chat", got no Sec-WebSocket-Protocol
  });

  it('lets any non-browser client claim any Origin: Origin is no authentication', async () => {
    const guarded = createServer({ checkOrigin: (origin) => origin === 'http://game.example' });
    const { url } = await guarded.listen();
    try {
      await expect(connect(url, { headers: { Origin: 'http://evil.example' } })).rejects.toThrow(
        HandshakeError,
      );
      const forged = await connect(url, { headers: { Origin: 'http://game.example' } });
      expect(forged.readyState).toBe('open');
      forged.terminate();
    } finally {
      await guarded.close();
    }
  });
});

describe('errata: handshake() of 3.1.3', () => {
  it('is refused by the ws package when the accept value was computed without the GUID', async () => {
    const result = await wsAgainst((decision) =>
      formatSwitchingProtocols({ ...decision, accept: acceptWithoutGuid(decision.key) }),
    );
    expect(result.opened).toBe(false);
    expect(result.error).toMatch(/Sec-WebSocket-Accept/i);
  });

  it('finds Sec-WebSocket-Key in any letter case, where the original’s exact-case lookup misses it', async () => {
    // What real clients send: ws-core's client and browsers spell it "Sec-WebSocket-Key".
    const request = formatUpgradeRequest(new URL(`${server.url}echo`), 'dGhlIHNhbXBsZSBub25jZQ==');
    expect(originalFindKey(request)).toBeUndefined(); // the original prints "not websocket."
    for (const spelling of ['Sec-WebSocket-Key', 'sec-websocket-key', 'SEC-WEBSOCKET-KEY']) {
      const lines = upgradeLines().map((l) => l.replace('Sec-WebSocket-Key', spelling));
      expect(await exchangeRaw(server, requestHead(lines))).toMatch(/^HTTP\/1\.1 101 /);
    }
  });

  it('accepts a header without a space after the colon, where the original’s split(": ") throws', async () => {
    const lines = upgradeLines().map((l) => l.replace('Sec-WebSocket-Key: ', 'Sec-WebSocket-Key:'));
    expect(() => originalFindKey(requestHead(lines))).toThrow(/ValueError/);
    expect(await exchangeRaw(server, requestHead(lines))).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('completes a handshake whose request arrives one byte per read', async () => {
    const bytes = Buffer.from(requestHead(upgradeLines()));
    // One short recv(): the original's parser throws on the cut line and gives up.
    expect(() => originalFindKey(bytes.subarray(0, 40).toString())).toThrow(/ValueError/);
    const answer = await new Promise<string>((resolve) => {
      const socket = tcpConnect(server.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      // setNoDelay + one write per tick: each byte leaves in its own TCP segment.
      socket.setNoDelay(true);
      let at = 0;
      const next = () => {
        if (at < bytes.length) socket.write(bytes.subarray(at, ++at), () => setImmediate(next));
      };
      socket.once('connect', next);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('accepts a request head longer than 1024 bytes (a browser with cookies)', async () => {
    const lines = [...upgradeLines(), `Cookie: session=${'c'.repeat(3000)}`];
    const request = requestHead(lines);
    expect(request.length).toBeGreaterThan(1024);
    expect(originalFindKey(request.slice(0, 1024))).toBeUndefined(); // what recv(1024) would see
    expect(await exchangeRaw(server, request)).toMatch(/^HTTP\/1\.1 101 /);
  });
});

describe('errata: the frame format of 3.1.5', () => {
  it('reads 127 as "an 8-byte length follows", as the original’s recv_data code does (its prose says 4 bytes)', () => {
    const payload = Buffer.alloc(70_000, 0xab);
    const frame = encodeFrame({ ...text(''), opcode: Opcode.BINARY, payload }, MASK);
    // 127, then the length in 8 bytes (bytes 2–9), then the mask in bytes 10–13.
    expect([...frame.subarray(0, 14)]).toEqual([
      0x82,
      0xff,
      0,
      0,
      0,
      0,
      0,
      0x01,
      0x11,
      0x70,
      ...MASK,
    ]);
    // recv_data takes the mask from all_data[10:14]: right, as long as the frame came whole.
    expect(originalRecvData(frame).equals(payload)).toBe(true);
  });

  it('encodes 126–65535 with a 16-bit length, where the original’s "!BQ" wrote 64 bits', () => {
    const ours = encodeFrame(text('x'.repeat(200)));
    expect([...ours.subarray(0, 4)]).toEqual([0x81, 126, 0x00, 0xc8]);
    expect([...originalSendDataHeader(200)]).toEqual([0x81, 126, 0, 0, 0, 0, 0, 0, 0, 0xc8]);
  });

  it('is misread by the ws package when sent the original’s "!BQ" header', async () => {
    const payload = Buffer.from('x'.repeat(200));
    const result = await wsAgainst((decision) =>
      Buffer.concat([
        Buffer.from(formatSwitchingProtocols(decision), 'latin1'),
        originalSendDataHeader(payload.length),
        payload,
      ]),
    );
    expect(result.opened).toBe(true);
    // ws reads the length as 0, then takes the next zero byte for a frame with opcode 0.
    expect(result.error).toMatch(/^Invalid WebSocket frame: invalid opcode 0/);
  });

  it('cannot send 65536 bytes or more with the original’s "!BH" (struct.error), while ours can', () => {
    expect(() => originalSendDataHeader(65_536)).toThrow(/struct\.error/);
    expect(encodeFrame({ ...text(''), payload: Buffer.alloc(65_536) })).toHaveLength(65_546);
  });

  it('names the first bit of byte 1 MASK: 1 on every frame a client sends, 0 on every frame the server sends', async () => {
    // A real client (the ws package) behind a recording relay, so we see the bytes it sent.
    const tap = await startWireTap({ host: '127.0.0.1', port: server.port });
    try {
      const client = new WebSocket(`ws://127.0.0.1:${tap.port}/echo`);
      await once(client, 'open');
      for (const message of ['hi', 'x'.repeat(300)]) {
        client.send(message);
        await once(client, 'message');
      }
      client.close(1000);
      await once(client, 'close');
      const maskBits = (chunks: Buffer[], parser: HttpRequestParser | HttpResponseParser) => {
        const rest = Buffer.from(parser.push(Buffer.concat(chunks))?.rest ?? []);
        const bits: boolean[] = [];
        for (let at = 0; at < rest.length; ) {
          const header = decodeFrameHeader(rest, at);
          if (!header) break;
          bits.push(header.masked);
          at += header.headerLength + header.payloadLength;
        }
        return bits;
      };
      // Three frames each way: two messages and the close.
      expect(maskBits(tap.fromClient, new HttpRequestParser())).toEqual([true, true, true]);
      expect(maskBits(tap.fromServer, new HttpResponseParser())).toEqual([false, false, false]);
    } finally {
      await tap.close();
    }
  });

  it('keeps two frames that arrive in one read apart, where recv_data merges them', () => {
    const twoFrames = Buffer.concat([encodeFrame(text('ab'), MASK), encodeFrame(text('cd'), MASK)]);
    expect(originalRecvData(twoFrames).toString('latin1')).not.toBe('abcd'); // header bytes XORed in
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(twoFrames);
    expect(protocol.eventsReceived()).toEqual([
      { type: 'text', data: 'ab' },
      { type: 'text', data: 'cd' },
    ]);
  });

  it('treats a close frame as a close, where recv_data returns its payload as data', () => {
    const close = encodeFrame(
      { ...text(''), opcode: Opcode.CLOSE, payload: Buffer.from([0x03, 0xe8]) },
      MASK,
    );
    expect([...originalRecvData(close)]).toEqual([0x03, 0xe8]); // "\x03\xe8" handed to the game logic
    const protocol = new Protocol({ role: 'server' });
    protocol.receiveData(close);
    expect(protocol.eventsReceived()).toEqual([{ type: 'close', code: 1000, reason: '' }]);
  });

  it('reassembles a fragmented message (FIN=0, then a continuation) before echoing it', async () => {
    const client = await RawClient.open(server.port, '/echo');
    client.write(encodeFrame(text('hel', false), MASK));
    client.write(encodeFrame(text('lo', true, Opcode.CONTINUATION), MASK));
    await until(() => client.textEvents().length > 0, 10_000, 'the echo');
    expect(client.textEvents()).toEqual(['hello']);
    client.destroy();
  });
});
