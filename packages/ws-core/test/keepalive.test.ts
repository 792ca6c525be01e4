import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  computeAcceptKey,
  connect,
  HttpRequestParser,
  Opcode,
  type WebSocketServer,
} from '../src/index.ts';
import { framesIn } from './helpers.ts';
import { rawUpgrade, startServer } from './tcp-helpers.ts';

// Short on purpose: a ping after 60 ms of silence, dead 200 ms after it. The rule itself, at
// the real defaults, is tested on a moved clock in liveness.test.ts.
const FAST = { pingInterval: 60, pongTimeout: 200 };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(): Promise<{ server: WebSocketServer; port: number; url: string }> {
  // closeTimeout far beyond the test: only the immediate destroy can end a silent peer in time.
  const started = await startServer({ ...FAST, closeTimeout: 60_000 });
  cleanups.push(() => started.server.close());
  return started;
}

describe('keepalive over TCP', () => {
  test('pings a raw client that never answers, then closes it with 1011 and destroys its socket', async () => {
    const { server, port } = await serve();
    const closed = new Promise<[number, string]>((resolve) =>
      server.on('connection', (conn) => {
        conn.on('error', () => {});
        conn.on('close', (code, reason) => resolve([code, reason]));
      }),
    );
    const client = await rawUpgrade(port);
    cleanups.push(() => client.socket.destroy());
    await client.closed; // the server ended TCP: the client sent nothing at all
    const frames = framesIn(client.afterHead());
    expect(frames.map((frame) => frame.opcode)).toEqual([Opcode.PING, Opcode.CLOSE]);
    expect(frames[1]?.payload.readUInt16BE(0)).toBe(1011);
    expect(frames[1]?.payload.subarray(2).toString()).toBe('keepalive ping timeout');
    expect(await closed).toEqual([
      1011,
      'keepalive ping timeout: nothing received within 200 ms of our ping',
    ]);
    expect(server.connections.size).toBe(0);
  }, 10_000);

  test('keeps a ws client, which answers every ping, open across several intervals', async () => {
    const { server, url } = await serve();
    const ws = new WebSocket(url);
    cleanups.push(() => ws.terminate());
    // A server that did not count the pongs would ping once and close the connection 200 ms
    // later: five pings mean each was answered and heard.
    const fivePings = new Promise<void>((resolve, reject) => {
      let pings = 0;
      ws.on('ping', () => ++pings === 5 && resolve());
      ws.on('close', (code) => reject(new Error(`closed with ${code} after ${pings} pings`)));
      ws.on('error', reject);
    });
    await fivePings;
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect([...server.connections].map((conn) => conn.readyState)).toEqual(['open']);
  }, 10_000);

  test('a client with pingInterval closes a server that never answers with 1011', async () => {
    // A server that completes the handshake and then reads nothing and says nothing.
    const sockets: Socket[] = [];
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      const parser = new HttpRequestParser();
      socket.on('data', (chunk) => {
        const key = parser.push(chunk)?.head.headers.get('sec-websocket-key');
        if (key === undefined) return;
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`,
        );
        socket.removeAllListeners('data');
        socket.on('data', () => {}); // swallows our ping unanswered
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      tcp.close();
    });
    const address = tcp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const conn = await connect(`ws://127.0.0.1:${port}/`, FAST);
    conn.on('error', () => {});
    const [code] = await new Promise<[number, string]>((resolve) =>
      conn.on('close', (...args) => resolve(args)),
    );
    expect(code).toBe(1011);
  }, 10_000);
});
