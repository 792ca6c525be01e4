/**
 * 3.2.5's server: chapter 3.1's WebSocket server with a game-logic handler, whose heavy
 * route planning runs either on the main thread or on a pool of worker threads.
 *
 * Messages are JSON text:  {"id":1,"kind":"ping"}                → {"id":1,"kind":"pong"}
 *                          {"id":2,"kind":"plan","map":7,"size":400} → {"id":2,"kind":"route","steps":802}
 * Anything else gets {"kind":"error","message":...}; the connection stays up. So does a plan
 * over the limits below: a client that floods jobs gets errors, not an ever-longer queue
 * that every other client's plans would wait behind.
 */
import { KeyCounter } from '@course/course-kit';
import { WorkerExitedError } from '@course/course-kit/workers';
import { createServer, type WebSocketConnection } from '@course/ws-core';
import { WorkerCrashedError } from './errors.ts';
import { LogicPool } from './logic-pool.ts';
import { type PlanRequest, planRoute } from './pathfinding.ts';

export const PLACEMENTS = ['main thread', 'worker pool'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Limits checked before any work: a message is small, a map is bounded. */
export const MAX_MESSAGE_BYTES = 1024;
export const MAX_MAP_SIZE = 1000;

/**
 * Route plans in flight at once: per connection, per remote address (all of one client's
 * connections together) and over the whole server.
 */
export interface PlanLimits {
  perConnection: number;
  /**
   * Without it, one client opening 8 connections of 8 plans holds all 64 places, and every
   * other client is told "server is busy".
   */
  perAddress: number;
  total: number;
}
/**
 * 3.2.5's heavy client keeps 4 in flight; 64 plans of the largest map are seconds of CPU work.
 * One address holds at most a quarter of the server's places.
 */
export const PLAN_LIMITS: PlanLimits = { perConnection: 8, perAddress: 16, total: 64 };
/** Connections at once: each costs a socket and buffers, and the plan limits count per connection. */
export const MAX_CONNECTIONS = 1000;

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
  const { map, size } = m;
  if (!Number.isInteger(map)) return 'plan needs an integer "map"';
  if (!Number.isInteger(size) || (size as number) < 2 || (size as number) > MAX_MAP_SIZE)
    return `plan "size" must be an integer from 2 to ${MAX_MAP_SIZE}`;
  return { id: m.id as number, kind: 'plan', map: map as number, size: size as number };
}

export interface GameServer {
  url: string;
  close(): Promise<void>;
}

/**
 * What the client is told when a plan fails: what to do, never the server's internals. A
 * worker that exited and one that crashed on an uncaught exception are both replaced.
 */
function planFailure(error: unknown): string {
  return error instanceof WorkerExitedError || error instanceof WorkerCrashedError
    ? 'route planning failed because its worker stopped; try again'
    : 'route planning failed';
}

export interface GameServerOptions {
  placement: Placement;
  workers: number;
  signal?: AbortSignal;
  limits?: PlanLimits;
  /** Over this, a new client is refused with 503 "server is full" before its handshake ends. */
  maxConnections?: number;
  /** The planning worker and its data: tests swap in one that crashes or holds its jobs. */
  logicWorker?: URL;
  logicWorkerData?: unknown;
  /**
   * Which client a connection belongs to, for the per-address limit: its remote address by
   * default. Tests, whose connections all come from 127.0.0.1, name clients themselves.
   */
  clientOf?: (connection: WebSocketConnection) => string;
}

export async function startGameServer(options: GameServerOptions): Promise<GameServer> {
  const limits = options.limits ?? PLAN_LIMITS;
  const pool =
    options.placement === 'worker pool'
      ? LogicPool.start(
          options.workers,
          options.logicWorker ?? GAME_LOGIC_WORKER,
          options.logicWorkerData,
          options.signal ? { signal: options.signal } : {},
        )
      : undefined;
  await pool?.ready();
  // A promise either way, so a throw on the main thread becomes an error reply too.
  const plan = (request: PlanRequest) =>
    pool ? pool.call<number>(request) : new Promise<number>((ok) => ok(planRoute(request)));
  const clientOf = options.clientOf ?? ((c: WebSocketConnection) => c.remoteAddress ?? 'unknown');
  let plansInFlight = 0;
  const perClient = new KeyCounter();

  const reply = (connection: WebSocketConnection, message: ServerMessage) => {
    if (connection.readyState === 'open') connection.send(JSON.stringify(message));
  };
  const serverOptions = {
    maxPayload: MAX_MESSAGE_BYTES,
    maxConnections: options.maxConnections ?? MAX_CONNECTIONS,
  };
  const server = createServer(serverOptions, (connection) => {
    let mine = 0;
    const client = clientOf(connection);
    connection.on('message', (data: string | Buffer, isBinary: boolean) => {
      const message = isBinary ? 'send JSON as a text message' : parseClientMessage(String(data));
      if (typeof message === 'string') return reply(connection, { kind: 'error', message });
      const { id } = message;
      if (message.kind === 'ping') return reply(connection, { id, kind: 'pong' });
      const refusal =
        mine >= limits.perConnection
          ? `too many route plans in flight on this connection (limit ${limits.perConnection}); wait for an answer before sending another`
          : perClient.count(client) >= limits.perAddress
            ? `too many route plans in flight from your address (limit ${limits.perAddress}); wait for an answer before sending another`
            : plansInFlight >= limits.total
              ? `server is busy with ${limits.total} route plans; try again later`
              : undefined;
      if (refusal) return reply(connection, { id, kind: 'error', message: refusal });
      mine++;
      perClient.add(client);
      plansInFlight++;
      // A client that left meanwhile gets nothing: reply() drops it, and the counts go down.
      plan(message)
        .then(
          (steps) => reply(connection, { id, kind: 'route', steps }),
          (error: unknown) => reply(connection, { id, kind: 'error', message: planFailure(error) }),
        )
        .finally(() => {
          mine--;
          perClient.remove(client);
          plansInFlight--;
        });
    });
  });
  // Without a listener, an 'error' event (e.g. the listening socket failing) would crash
  // the whole process; a connection's own errors are handled inside ws-core.
  server.on('error', (error: Error) => process.stderr.write(`game server: ${error.message}\n`));
  const { url } = await server.listen().catch(async (error: unknown) => {
    await pool?.close();
    throw error;
  });
  return {
    url,
    close: async () => {
      await server.close();
      await pool?.close();
    },
  };
}
