/**
 * A recording TCP relay: clients connect to the tap, the tap connects to the real server,
 * and every byte in either direction is copied through and kept. Section 3.1.1 uses it to
 * show the handshake exactly as it crossed the wire, with no library in between.
 */
import { createServer, connect as tcpConnect } from 'node:net';
import { listenOnLoopback } from './loopback.ts';

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
  const relay = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
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
  // Closing the relay destroys the client sides; each upstream then ends with its client.
  const { port, close } = await listenOnLoopback(relay);
  return { port, fromClient, fromServer, close };
}
