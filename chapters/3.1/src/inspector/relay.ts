/**
 * A recording TCP relay in front of the inspector's WebSocket server: browsers connect here,
 * each connection is piped to the server, and every chunk in either direction is shown to an
 * observer on its way through — the bytes exactly as they crossed, unchanged. Unlike
 * wire-tap.ts (3.1.1), it keeps nothing itself and listens on any --host/--port.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface RelayObserver {
  fromClient(chunk: Buffer): void;
  fromServer(chunk: Buffer): void;
  /** Either side went away; called once. */
  closed(): void;
}

export interface RelayOptions {
  host: string;
  port: number;
  target: { host: string; port: number };
  /** Connections relayed at once; one more is closed at once (the server limits its own). */
  maxConnections: number;
  observe(): RelayObserver;
}

export interface Relay {
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys the connections still open, both sides of each. */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  /** Each relayed client and the connection to the server made for it. */
  const open = new Map<Socket, Socket>();
  const relay = createServer((client) => {
    if (open.size >= options.maxConnections) {
      client.destroy();
      return;
    }
    const observer = options.observe();
    const upstream = tcpConnect(options.target.port, options.target.host);
    open.set(client, upstream);
    // Small frames should cross now, not wait for Nagle's algorithm: both sides batch already.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => observer.fromClient(chunk));
    upstream.on('data', (chunk: Buffer) => observer.fromServer(chunk));
    // pipe() pauses the reading side while the other cannot keep up: no unbounded buffering.
    client.pipe(upstream);
    upstream.pipe(client);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      observer.closed();
    };
    // Counted until the client's own socket is gone, so close() can destroy what lingers.
    client.on('close', () => open.delete(client));
    // Either side going away ends the other; errors are the peer's business, not ours.
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        b.end();
        // The pipe may have paused `b` (its reader fell behind); paused, it would never read
        // its peer's FIN and never close.
        b.resume();
        end();
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(options.port, options.host, () => {
      relay.off('error', reject);
      resolve();
    });
  });
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no TCP port');
  return {
    host: options.host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of open) {
          client.destroy();
          upstream.destroy();
        }
        relay.close(() => resolve());
      }),
  };
}
