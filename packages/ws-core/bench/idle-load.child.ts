/**
 * The load side of the idle-memory benchmark, in its own process: opens WebSocket connections
 * (100 handshakes in flight), then holds them open and sends nothing.
 * Shows:  upgrades per second through the raw client (raw-client.ts), which treats both
 *         servers alike; the sockets then stay silent until the parent says 'drop'.
 * Run:    started by bench/idle.ts; not meant to be run by hand.
 * Expect: answers {type:'open', …} with {type:'opened', upgraded, failed, ms, firstError} and
 *         {type:'drop'} with {type:'dropped'}; exits when the parent goes away.
 */
import type { Socket } from 'node:net';
import { openRawWebSocket } from './raw-client.ts';

export type IdleLoadRequest =
  | { type: 'open'; host: string; port: number; count: number; inFlight: number }
  | { type: 'drop' };
export type IdleLoadReply =
  | { type: 'opened'; upgraded: number; failed: number; ms: number; firstError?: string }
  | { type: 'dropped' };

const held: Socket[] = [];

async function open(request: Extract<IdleLoadRequest, { type: 'open' }>): Promise<IdleLoadReply> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  // `inFlight` workers, each opening its next connection as soon as its last one is upgraded.
  const worker = async () => {
    while (next < request.count) {
      next++;
      try {
        const { socket } = await openRawWebSocket(request.host, request.port);
        // A server going away must not crash the load side with an unhandled 'error'.
        socket.on('error', () => socket.destroy());
        held.push(socket);
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: request.inFlight }, worker));
  const ms = performance.now() - started;
  return { type: 'opened', upgraded: request.count - failed, failed, ms, firstError };
}

function drop(): IdleLoadReply {
  for (const socket of held.splice(0)) socket.destroy();
  return { type: 'dropped' };
}

process.on('message', async (request: IdleLoadRequest) => {
  process.send?.(request.type === 'open' ? await open(request) : drop());
});
// Never outlive the benchmark.
process.once('disconnect', () => process.exit(0));
