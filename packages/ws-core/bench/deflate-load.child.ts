/**
 * The load side of the compressed-memory benchmark, in its own process: opens N connections
 * that negotiate permessage-deflate, has each send M JSON-like messages one after another
 * (each echo checked), then holds them open and silent.
 * Shows:  what a server holds per connection once compression has been used, the same client
 *         (ours, `perMessageDeflate: true`) for both servers.
 * Run:    started by bench/deflate.ts; not meant to be run by hand.
 * Expect: answers {type:'open', …} with {type:'opened', upgraded, compressed, echoed, failed,
 *         ms, firstError} and {type:'drop'} with {type:'dropped'}; exits when the parent goes.
 */
import { connect, type WebSocketConnection } from '../src/index.ts';
import { jsonLikeMessages } from './json-like.ts';

export type DeflateLoadRequest =
  | {
      type: 'open';
      url: string;
      count: number;
      messagesEach: number;
      size: number;
      inFlight: number;
    }
  | { type: 'drop' };
export type DeflateLoadReply =
  | {
      type: 'opened';
      upgraded: number;
      /** Connections whose server agreed to permessage-deflate. */
      compressed: number;
      /** Echoes received and equal to what was sent. */
      echoed: number;
      failed: number;
      ms: number;
      firstError?: string;
    }
  | { type: 'dropped' };

const held: WebSocketConnection[] = [];
const ECHO_TIMEOUT_MS = 30_000;

function echo(conn: WebSocketConnection, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no echo within 30 s')), ECHO_TIMEOUT_MS);
    conn.once('message', (data) => {
      clearTimeout(timer);
      if (data === message) resolve();
      else reject(new Error(`wrong echo: ${String(data).length} bytes for ${message.length}`));
    });
    conn.send(message);
  });
}

async function open(
  request: Extract<DeflateLoadRequest, { type: 'open' }>,
): Promise<DeflateLoadReply> {
  const messages = jsonLikeMessages(request.size, 64);
  let next = 0;
  let upgraded = 0;
  let compressed = 0;
  let echoed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  // `inFlight` workers, each opening a connection, exchanging its messages, then the next.
  const worker = async () => {
    while (next < request.count) {
      const index = next++;
      try {
        const conn = await connect(request.url, { perMessageDeflate: true });
        conn.on('error', () => {}); // the server going away must not crash the load side
        held.push(conn);
        upgraded++;
        if (conn.extensions.startsWith('permessage-deflate')) compressed++;
        for (let i = 0; i < request.messagesEach; i++) {
          await echo(conn, messages[(index + i) % messages.length] as string);
          echoed++;
        }
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: request.inFlight }, worker));
  const ms = performance.now() - started;
  return { type: 'opened', upgraded, compressed, echoed, failed, ms, firstError };
}

function drop(): DeflateLoadReply {
  for (const conn of held.splice(0)) conn.terminate();
  return { type: 'dropped' };
}

process.on('message', async (request: DeflateLoadRequest) => {
  process.send?.(request.type === 'open' ? await open(request) : drop());
});
process.once('disconnect', () => process.exit(0));
