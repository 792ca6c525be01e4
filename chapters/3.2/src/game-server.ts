/**
 * 3.2.5's server: chapter 3.1's WebSocket server with a game-logic handler, whose heavy
 * route planning runs either on the main thread or on a pool of worker threads.
 *
 * Messages are JSON text:  {"id":1,"kind":"ping"}                → {"id":1,"kind":"pong"}
 *                          {"id":2,"kind":"plan","seed":7,"size":400} → {"id":2,"kind":"route","steps":802}
 * Anything else gets {"kind":"error","message":...}; the connection stays up.
 */
import { createServer, type WebSocketConnection } from '@course/ws-core';
import { type PlanRequest, planRoute } from './pathfinding.ts';
import { closeAll, Peer } from './peer.ts';

export const PLACEMENTS = ['main thread', 'worker pool'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Limits checked before any work: a message is small, a map is bounded. */
export const MAX_MESSAGE_BYTES = 1024;
export const MAX_MAP_SIZE = 1000;

export type ClientMessage =
  | { id: number; kind: 'ping' }
  | ({ id: number; kind: 'plan' } & PlanRequest);
export type ServerMessage =
  | { id: number; kind: 'pong' }
  | { id: number; kind: 'route'; steps: number }
  | { id?: number; kind: 'error'; message: string };

const GAME_LOGIC_WORKER = new URL('./game-logic.worker.ts', import.meta.url);

/** Checks a client message's shape; returns an error text for the client, or the message. */
export function parseClientMessage(text: string): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'message is not valid JSON';
  }
  const m = value as Partial<Record<string, unknown>>;
  if (typeof m !== 'object' || m === null || !Number.isInteger(m.id))
    return 'message needs an integer "id"';
  if (m.kind === 'ping') return { id: m.id as number, kind: 'ping' };
  if (m.kind !== 'plan') return `unknown kind ${JSON.stringify(m.kind)}; expected "ping" or "plan"`;
  const { seed, size } = m;
  if (!Number.isInteger(seed)) return 'plan needs an integer "seed"';
  if (!Number.isInteger(size) || (size as number) < 2 || (size as number) > MAX_MAP_SIZE)
    return `plan "size" must be an integer from 2 to ${MAX_MAP_SIZE}`;
  return { id: m.id as number, kind: 'plan', seed: seed as number, size: size as number };
}

/** Least-busy dispatch over worker threads; every call settles even if a worker dies. */
class LogicPool {
  private readonly busy: number[];
  constructor(private readonly peers: Peer[]) {
    this.busy = peers.map(() => 0);
  }
  async plan(request: PlanRequest): Promise<number> {
    const index = this.busy.indexOf(Math.min(...this.busy));
    this.busy[index] = (this.busy[index] ?? 0) + 1;
    try {
      return await (this.peers[index] as Peer).call<number>(request);
    } finally {
      this.busy[index] = (this.busy[index] ?? 1) - 1;
    }
  }
}

export interface GameServer {
  url: string;
  close(): Promise<void>;
}

export async function startGameServer(options: {
  placement: Placement;
  workers: number;
  signal?: AbortSignal;
}): Promise<GameServer> {
  const peers =
    options.placement === 'worker pool'
      ? Peer.many('thread', options.workers, GAME_LOGIC_WORKER, undefined, {
          label: 'game-logic worker',
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : [];
  await Promise.all(peers.map((p) => p.ready));
  const pool = new LogicPool(peers);
  const plan = (request: PlanRequest) =>
    options.placement === 'main thread' ? Promise.resolve(planRoute(request)) : pool.plan(request);

  const reply = (connection: WebSocketConnection, message: ServerMessage) => {
    if (connection.readyState === 'open') connection.send(JSON.stringify(message));
  };
  const server = createServer({ maxPayload: MAX_MESSAGE_BYTES }, (connection) => {
    connection.on('message', (data: string | Buffer, isBinary: boolean) => {
      const message = isBinary ? 'send JSON as a text message' : parseClientMessage(String(data));
      if (typeof message === 'string') return reply(connection, { kind: 'error', message });
      if (message.kind === 'ping') return reply(connection, { id: message.id, kind: 'pong' });
      plan(message).then(
        (steps) => reply(connection, { id: message.id, kind: 'route', steps }),
        (error: Error) =>
          reply(connection, { id: message.id, kind: 'error', message: error.message }),
      );
    });
  });
  // Without a listener, an 'error' event (e.g. the listening socket failing) would crash
  // the whole process; a connection's own errors are handled inside ws-core.
  server.on('error', (error: Error) => process.stderr.write(`game server: ${error.message}\n`));
  const { url } = await server.listen();
  return {
    url,
    close: async () => {
      await server.close();
      await closeAll(peers);
    },
  };
}
