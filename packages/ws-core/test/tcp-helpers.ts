/** Raw TCP helpers: speak bytes to the server exactly as a hostile or odd client would. */
import { connect as connectTcp, createServer as createTcpServer, type Socket } from 'node:net';
import { createServer, type ServerOptions, type WebSocketServer } from '../src/index.ts';

export const UPGRADE_REQUEST = [
  'GET /raw HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');

export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves when the server has closed the connection (FIN or reset), with all bytes. */
  closed: Promise<Buffer>;
  /** Resolves once `predicate` holds for the bytes received so far. */
  until(predicate: (bytes: Buffer) => boolean): Promise<Buffer>;
}

export function rawConnect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const waiters: Array<() => void> = [];
    const received = () => Buffer.concat(chunks);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      for (const wake of waiters.splice(0)) wake();
    });
    const closed = new Promise<Buffer>((done) =>
      socket.on('close', () => {
        done(received());
        for (const wake of waiters.splice(0)) wake();
      }),
    );
    socket.on('error', () => {}); // resets are expected in some tests; 'close' follows
    const until = (predicate: (bytes: Buffer) => boolean) =>
      new Promise<Buffer>((done, fail) => {
        const check = () => {
          const bytes = received();
          if (predicate(bytes)) return done(bytes);
          if (socket.destroyed)
            return fail(
              new Error(`closed before the expected bytes; got ${bytes.toString('latin1')}`),
            );
          waiters.push(check);
        };
        check();
      });
    socket.once('connect', () => resolve({ socket, received, closed, until }));
    socket.once('error', reject);
  });
}

/** The status code from an HTTP response's first line. */
export function statusOf(bytes: Buffer): number {
  return Number(bytes.toString('latin1').split(' ')[1]);
}

/** Connects and completes the RFC example handshake; returns the client and bytes after the 101. */
export async function rawUpgrade(port: number): Promise<RawClient & { afterHead(): Buffer }> {
  const client = await rawConnect(port);
  client.socket.write(UPGRADE_REQUEST);
  await client.until((bytes) => bytes.includes('\r\n\r\n'));
  const afterHead = () => {
    const bytes = client.received();
    return bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  };
  return { ...client, afterHead };
}

/** Starts a server on 127.0.0.1:0 and returns it with its port; call `server.close()` after. */
export async function startServer(
  options: ServerOptions = {},
): Promise<{ server: WebSocketServer; port: number; url: string }> {
  const server = createServer({ host: '127.0.0.1', port: 0, ...options });
  const { port, url } = await server.listen();
  return { server, port, url };
}

/**
 * A TCP relay on 127.0.0.1:0 to `port` that counts the bytes it carries each way: what a
 * client and a server really put on the wire (after compression, with frame headers).
 */
export async function startCountingRelay(port: number): Promise<{
  url: string;
  bytes: { up: number; down: number };
  close(): Promise<void>;
}> {
  const bytes = { up: 0, down: 0 };
  const sockets = new Set<Socket>();
  const relay = createTcpServer((client) => {
    const server = connectTcp({ host: '127.0.0.1', port });
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {}); // the other side's close follows
    }
    client.on('data', (chunk) => (bytes.up += chunk.length));
    server.on('data', (chunk) => (bytes.down += chunk.length));
    client.pipe(server);
    server.pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  const relayPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${relayPort}/`,
    bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}
