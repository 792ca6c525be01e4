/**
 * A recording TCP relay: clients connect to the tap, the tap connects to the real server,
 * and every byte in either direction is copied through and kept. Section 3.1.1 uses it to
 * show the handshake exactly as it crossed the wire, with no library in between.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface WireTap {
  readonly port: number;
  /** What clients sent, in the order it arrived. */
  readonly fromClient: Buffer[];
  /** What the server sent back. */
  readonly fromServer: Buffer[];
  close(): Promise<void>;
}

export async function startWireTap(target: { host: string; port: number }): Promise<WireTap> {
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const relay: Server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('data', (chunk) => fromClient.push(chunk));
    upstream.on('data', (chunk) => fromServer.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side going away ends the relay; errors are the peer's business, not ours.
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.end());
    }
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, '127.0.0.1', resolve);
  });
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('wire tap has no port');

  return {
    port: address.port,
    fromClient,
    fromServer,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}
