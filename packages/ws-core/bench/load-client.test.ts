import { afterEach, describe, expect, test } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { checkEcho, type LoadOptions, runLoad, STAMP_BYTES } from './load-client.ts';

type Echo = (socket: WebSocket, data: Buffer, index: number) => void;

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An in-process ws server whose echo behaviour each test chooses. */
async function startEchoServer(echo: Echo): Promise<number> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  server.on('connection', (socket) => {
    let index = 0; // per connection, so it matches the load generator's sequence numbers
    socket.on('message', (data) => echo(socket, data as Buffer, index++));
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

const cell = (port: number): LoadOptions => ({
  host: '127.0.0.1',
  port,
  connections: 3,
  payloadSize: 200,
  inFlight: 4,
  warmupMs: 20,
  durationMs: 150,
  // Ends as soon as every echo is back; the bound only matters on a stalled machine.
  settleTimeoutMs: 10_000,
});

describe('the echo load generator', () => {
  test('counts and accepts every correct echo from a ws echo server', async () => {
    const port = await startEchoServer((socket, data) => socket.send(data, { binary: true }));
    const result = await runLoad(cell(port));
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.echoed).toBe(result.sent);
    expect(result.sent).toBeGreaterThanOrEqual(3 * 4);
    expect(result.measuredMessages).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  test('handles 64 KiB messages split across many socket reads', async () => {
    const port = await startEchoServer((socket, data) => socket.send(data, { binary: true }));
    const result = await runLoad({ ...cell(port), payloadSize: 64 * 1024, connections: 2 });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test('fails the run when an echo comes back with a changed byte', async () => {
    const port = await startEchoServer((socket, data, index) => {
      const copy = Buffer.from(data);
      if (index === 5) copy[STAMP_BYTES + 3] = (copy[STAMP_BYTES + 3] ?? 0) ^ 0xff;
      socket.send(copy, { binary: true });
    });
    const result = await runLoad(cell(port));
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/payload bytes differ/);
  });

  test('fails the run when the server swallows a message', async () => {
    const port = await startEchoServer((socket, data, index) => {
      if (index !== 7) socket.send(data, { binary: true });
    });
    // A swallowed echo never comes: the run waits out its settle time, so keep that short.
    const result = await runLoad({ ...cell(port), settleTimeoutMs: 1_000 });
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/expected \d+\/7 \(lost, duplicated or reordered\)/);
    expect(result.echoed).toBe(result.sent - 3); // one per connection
  });

  test('notes a slow first pipeline without failing the run', async () => {
    const port = await startEchoServer((socket, data, index) => {
      // Hold the very first echo back past the priming limit, then echo normally.
      if (index === 0) setTimeout(() => socket.send(data, { binary: true }), 250);
      else socket.send(data, { binary: true });
    });
    const result = await runLoad({
      ...cell(port),
      connections: 1,
      inFlight: 1,
      primeTimeoutMs: 50,
    });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.notes.join('\n')).toMatch(
      /1 connections got no full pipeline of echoes in 50 ms/,
    );
  });

  test('fails the run when the echo comes back as text instead of binary', async () => {
    const port = await startEchoServer((socket, data) => socket.send(data, { binary: false }));
    const result = await runLoad({ ...cell(port), connections: 1, inFlight: 1 });
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/expected a final binary frame, got opcode 1/);
  });

  test('reports a refused handshake as an error instead of hanging', async () => {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: () => false,
    });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    await expect(runLoad(cell(address.port))).rejects.toThrow(/handshake refused: HTTP\/1.1 401/);
  });
});

describe('checkEcho', () => {
  const body = Buffer.from('abcdefgh');
  const payload = (id: number, seq: number) => {
    const p = Buffer.alloc(STAMP_BYTES + body.length);
    p.writeUInt32BE(id, 0);
    p.writeUInt32BE(seq, 4);
    body.copy(p, STAMP_BYTES);
    return p;
  };

  test('accepts the echo of the expected message', () => {
    const echo = { opcode: 2, fin: true, payload: payload(9, 41) };
    expect(checkEcho({ id: 9 }, 41, echo, body)).toBeUndefined();
  });

  test('rejects an echo that belongs to another message or connection', () => {
    expect(
      checkEcho({ id: 9 }, 41, { opcode: 2, fin: true, payload: payload(9, 42) }, body),
    ).toMatch(/expected 9\/41/);
    expect(
      checkEcho({ id: 9 }, 41, { opcode: 2, fin: true, payload: payload(8, 41) }, body),
    ).toMatch(/got echo 8\/41/);
  });

  test('rejects a truncated echo', () => {
    const echo = { opcode: 2, fin: true, payload: payload(9, 41).subarray(0, 10) };
    expect(checkEcho({ id: 9 }, 41, echo, body)).toMatch(/echo of 10 bytes, sent 16/);
  });
});
