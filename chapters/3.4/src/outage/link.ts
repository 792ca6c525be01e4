/**
 * A link to Redis that a sample can cut: a TCP relay on 127.0.0.1 (a free port) that forwards
 * each connection to Redis. `cut()` ends every connection it carries and turns new ones away
 * (accepted, then closed at once) until `restore()`. Redis itself keeps running, memory and all,
 * so this is the network between a chat server and Redis failing, not Redis failing.
 *
 *   const link = await openLink({ host: '127.0.0.1', port: 6379 });
 *   connect(link.url);   // redis://127.0.0.1:<link's port>
 *   link.cut();          // every client through it sees its connection close
 *   link.restore();      // their reconnects get through again
 *   await link.close();
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface Link {
  /** redis://127.0.0.1:PORT, the relay's side. */
  readonly url: string;
  /** Connections it carries now. */
  readonly connections: number;
  readonly isCut: boolean;
  /** Ends every connection it carries and turns new ones away; returns how many it ended. */
  cut(): number;
  restore(): void;
  /** Cuts for good and stops listening. */
  close(): Promise<void>;
}

export async function openLink(target: { host: string; port: number }): Promise<Link> {
  const pairs = new Set<[Socket, Socket]>();
  let isCut = false;
  const server = createServer((client) => {
    client.on('error', () => {}); // a reset from either side just ends the pair
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target);
    upstream.on('error', () => {});
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const cut = () => {
    isCut = true;
    const ended = pairs.size;
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    return ended;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    get isCut() {
      return isCut;
    },
    cut,
    restore: () => {
      isCut = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
