import { once } from 'node:events';
import { connect as connectTcp, createServer as createTcpServer, type Socket } from 'node:net';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  computeAcceptKey,
  connect,
  HttpRequestParser,
  Opcode,
  ProtocolError,
  type WebSocketConnection,
  type WebSocketServer,
} from '../src/index.ts';
import { framesIn } from './helpers.ts';
import { rawUpgrade, startServer, UPGRADE_REQUEST } from './tcp-helpers.ts';

const MiB = 1024 * 1024;

// Short on purpose: a ping after 60 ms of silence, dead 200 ms after it. The rule itself, at
// the real defaults, is tested on a moved clock in liveness.test.ts.
const FAST = { pingInterval: 60, pongTimeout: 200 };
// For a peer that must stay open: pings as often, but a pong may take 2 s. Node runs due
// timers before it reads sockets, so after a stall longer than pongTimeout the sweep would
// judge the peer before reading the pong already waiting for it.
const PATIENT = { pingInterval: 60, pongTimeout: 2_000 };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(
  keepalive = FAST,
): Promise<{ server: WebSocketServer; port: number; url: string }> {
  // closeTimeout far beyond the test: only the immediate destroy can end a silent peer in time.
  const started = await startServer({ ...keepalive, closeTimeout: 60_000 });
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
    const { server, url } = await serve(PATIENT);
    const ws = new WebSocket(url);
    cleanups.push(() => ws.terminate());
    // A server pings once per silence: one that did not count the pongs would ping once and
    // close the connection 2 s later. Five pings mean each was answered and heard.
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

  test('fails a peer that reads nothing while we owe it bytes with 1008, though we stopped reading it too', async () => {
    const { server, port } = await serve(); // highWaterMark 1 MiB: the server stops reading it
    const failed = new Promise<{ error?: Error; close: [number, string] }>((resolve) =>
      server.on('connection', (conn) => {
        let error: Error | undefined;
        conn.on('error', (e) => (error = e));
        conn.on('close', (code, reason) => resolve({ error, close: [code, reason] }));
        // Far more than the socket buffers hold, far less than maxBufferedAmount (128 MiB).
        conn.send(Buffer.alloc(32 * MiB));
      }),
    );
    const client = await rawUpgrade(port);
    cleanups.push(() => client.socket.destroy());
    client.socket.pause(); // reads nothing more, says nothing
    const { error, close } = await within(
      failed,
      8_000,
      'the server to fail a peer that reads nothing',
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ closeCode: 1008, code: 'WS_ERR_PEER_NOT_READING' });
    expect(close[0]).toBe(1008);
    expect(close[1]).toMatch(/^peer is not reading: \d+ bytes waiting, none taken within 200 ms$/);
    expect(server.connections.size).toBe(0);
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

/** A raw client past the handshake that reads only as much as the test lets it, and counts. */
async function reluctantReader(port: number) {
  const socket = connectTcp({ host: '127.0.0.1', port });
  cleanups.push(() => socket.destroy());
  socket.on('error', () => {});
  await within(once(socket, 'connect'), 5_000, 'the TCP connection');
  socket.pause();
  let received = 0;
  let tail = Buffer.alloc(0); // the last bytes, where a ping behind the message shows
  let wake = () => {};
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    tail = Buffer.concat([tail, chunk]).subarray(-16);
    wake();
  });
  socket.write(UPGRADE_REQUEST);
  /** Reads until `done` holds for what it has received, then stops reading. */
  const readUntil = async (done: () => boolean, what: string): Promise<void> => {
    socket.resume();
    await within(
      new Promise<void>((resolve) => {
        wake = () => done() && resolve();
        wake();
      }),
      10_000,
      what,
    );
    socket.pause();
  };
  return {
    readUntil,
    /** Bytes received so far, the server's 101 included. */
    get received() {
      return received;
    },
    /** The last 16 bytes received. */
    get tail() {
      return tail;
    },
  };
}

describe('keepalive and a peer that reads slowly, on the server clock the test moves', () => {
  test('gives a ping queued behind a large message its pongTimeout from the last bytes the peer took', async () => {
    let time = 0;
    // Settings far beyond the test's own run, so the sweep's timer never fires: every check
    // below is the test's, at the time it chooses. The high-water mark is above the message,
    // so the server keeps reading the peer and judges its silence.
    const { server, port } = await startServer({
      clock: () => time,
      pingInterval: 60_000,
      pongTimeout: 60_000,
      highWaterMark: 64 * MiB,
      closeTimeout: 500,
    });
    cleanups.push(() => server.close());
    const opened = new Promise<WebSocketConnection>((resolve) =>
      server.once('connection', resolve),
    );
    const peer = await reluctantReader(port);
    const conn = await within(opened, 5_000, 'the upgrade');
    const errors: Error[] = [];
    conn.on('error', (error) => errors.push(error));
    const message = 32 * MiB; // far more than the socket buffers hold: most of it waits with us
    conn.send(Buffer.alloc(message));

    time = 60_000; // silent for pingInterval: a ping, queued behind the message
    conn.checkLiveness(time);
    const owed = conn.bufferedAmount;
    const start = peer.received;
    await peer.readUntil(() => peer.received >= start + 4 * MiB, 'the peer to read 4 MiB');
    await until(() => conn.bufferedAmount < owed, 10_000, 'the server to see the peer take bytes');
    time = 120_000; // pongTimeout after the ping, which the peer has not reached yet
    conn.checkLiveness(time);
    expect(errors).toEqual([]);
    expect(conn.readyState).toBe('open');

    // The peer reads on, up to the ping behind the message (0x89, no payload), and never answers.
    const pingBehind = () => peer.tail.subarray(-2).equals(Buffer.from([0x89, 0x00]));
    await peer.readUntil(pingBehind, 'the peer to read the message and the ping behind it');
    await until(() => conn.bufferedAmount === 0, 10_000, 'the server to see it all taken');
    time = 130_000;
    conn.checkLiveness(time); // the last progress: the ping's deadline counts from here
    time = 189_999;
    conn.checkLiveness(time);
    expect(errors).toEqual([]);
    time = 190_000;
    conn.checkLiveness(time);
    expect(errors.map((error) => (error as ProtocolError).code)).toEqual([
      'WS_ERR_KEEPALIVE_TIMEOUT',
    ]);
  }, 30_000);
});
