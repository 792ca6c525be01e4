/**
 * capstone/01 — A game room: players over WebSocket, a 20 Hz tick, path-finding on a pool.
 *
 * Players join the room over WebSocket and send inputs; a tick loop moves them 20 times a
 * second and sends every player the room's state. Path-finding (a breadth-first search across
 * a 1536 × 1536 map: tens of milliseconds) runs on a pool of worker threads, so the ticks stay
 * on time while bots ask for paths. Each `input` acknowledges the latest state its player has
 * read; a player with MAX_UNACKED_STATES states unacknowledged gets no more until it catches
 * up, and nobody else waits for it. The protocol, and how bots and Chromium grade it, are in
 * docs/capstone.md. Sections 1 and 2 are given; 3, 4 and 5 are yours.
 * Check: npm run exercise -- watch   (or npm run grade -- capstone)
 */
import { availableParallelism } from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import type { WebSocketConnection } from '@course/ws-core';

// You will need: createServer from '@course/ws-core' (section 5), and Worker and parentPort
// from 'node:worker_threads' (section 4). Or use your own server from 3.1/08: the tests only
// talk WebSocket to 127.0.0.1.

// ─── 1. The protocol (given) ────────────────────────────────────────────────────────────────

export const TICK_RATE = 20;
export const TICK_MS = 1000 / TICK_RATE;
export const MAP_SIZE = 1536;
/** A player this many states behind on its acknowledgements is skipped until it catches up. */
export const MAX_UNACKED_STATES = 20;
export const MAX_NAME_LENGTH = 32;
/** Every client message is small; ws-core refuses a bigger one (1009) before buffering it. */
export const MAX_MESSAGE_BYTES = 1024;

/** A move is one cell per tick: x grows to the right, y grows downwards. */
export const MOVES = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] } as const;
export type Move = keyof typeof MOVES;
export type Cell = [x: number, y: number];

export type ClientMessage =
  | { type: 'join'; name: string }
  | { type: 'input'; tick: number; move: Move | null }
  | { type: 'path'; id: number; from: Cell; to: Cell };

export interface PlayerView {
  id: number;
  name: string;
  x: number;
  y: number;
}

export type ServerMessage =
  | { type: 'welcome'; id: number; tick: number; rate: number; map: { size: number; seed: number } }
  | { type: 'state'; tick: number; players: PlayerView[] }
  | { type: 'path'; id: number; steps: number }
  | { type: 'error'; message: string };

function isCell(value: unknown, size: number): value is Cell {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => Number.isInteger(n) && n >= 0 && n < size)
  );
}

/** A client message, or the error text to send back when it is not one. */
export function parseClientMessage(text: string, size = MAP_SIZE): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'message is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'message must be a JSON object with a "type"';
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'join': {
      const { name } = m;
      if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME_LENGTH)
        return `join needs a "name" of 1 to ${MAX_NAME_LENGTH} characters`;
      return { type: 'join', name };
    }
    case 'input': {
      const { tick, move } = m;
      if (!Number.isInteger(tick) || (tick as number) < 0)
        return 'input needs "tick": the latest state tick you have read';
      if (move !== null && !(typeof move === 'string' && Object.hasOwn(MOVES, move)))
        return 'input "move" must be "up", "down", "left", "right" or null';
      return { type: 'input', tick: tick as number, move: move as Move | null };
    }
    case 'path': {
      const { id, from, to } = m;
      if (!Number.isInteger(id)) return 'path needs an integer "id"';
      if (!isCell(from, size) || !isCell(to, size))
        return `path "from" and "to" must be [x, y] cells inside the ${size} × ${size} map`;
      return { type: 'path', id: id as number, from, to };
    }
    default:
      return `unknown message type ${JSON.stringify(m.type)}; expected "join", "input" or "path"`;
  }
}

// ─── 2. The map and the heavy step (given) ──────────────────────────────────────────────────

/** A deterministic map (1 = wall): the same seed always draws the same walls, about 28% of cells. */
export function makeMap(size: number, seed: number): Uint8Array {
  const walls = new Uint8Array(size * size);
  let state = seed >>> 0 || 0x9e3779b9; // xorshift32 must not start at 0
  for (let i = 0; i < walls.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    walls[i] = (state >>> 0) / 2 ** 32 < 0.28 ? 1 : 0;
  }
  return walls;
}

/**
 * Steps on the shortest 4-neighbour path from `from` to `to`, or -1 when a wall is in the way
 * of every path (or on either end). Breadth-first search: across the whole map it visits
 * millions of cells — the CPU-heavy step that must not run on the tick's thread.
 */
export function shortestPath(walls: Uint8Array, size: number, from: Cell, to: Cell): number {
  const start = from[1] * size + from[0];
  const goal = to[1] * size + to[0];
  if (walls[start] || walls[goal]) return -1;
  const distance = new Int32Array(size * size).fill(-1);
  const queue = new Int32Array(size * size);
  let head = 0;
  let tail = 0;
  distance[start] = 0;
  queue[tail++] = start;
  while (head < tail) {
    const cell = queue[head++] as number;
    if (cell === goal) return distance[cell] as number;
    const x = cell % size;
    const next = (distance[cell] as number) + 1;
    for (const neighbour of [
      cell >= size ? cell - size : -1,
      cell + size < size * size ? cell + size : -1,
      x > 0 ? cell - 1 : -1,
      x < size - 1 ? cell + 1 : -1,
    ]) {
      if (neighbour < 0 || walls[neighbour] || distance[neighbour] !== -1) continue;
      distance[neighbour] = next;
      queue[tail++] = neighbour;
    }
  }
  return -1;
}

// ─── 3. The room: players, inputs, one tick (sans-I/O) ──────────────────────────────────────

export interface Player extends PlayerView {
  /** The direction the player holds: it moves one cell per tick until this changes. */
  move: Move | null;
}

/** The game itself, with no sockets and no timers: the server drives it. */
export class Room {
  readonly players = new Map<number, Player>();
  tick = 0;

  constructor(
    readonly walls: Uint8Array,
    readonly size: number,
    /** Where new players appear: a seeded generator makes it repeatable. */
    readonly random: () => number = Math.random,
  ) {}

  /** Inside the map and not a wall. */
  isOpen(x: number, y: number): boolean {
    // TODO: x and y within 0..size-1, and walls[y * size + x] is 0.
    throw new Error(`TODO: is [${x}, ${y}] open?`);
  }

  /** Adds a player on a random open cell. */
  join(name: string): Player {
    // TODO: draw x and y with this.random() until the cell is open; give the player the next
    //   id (1, 2, 3, …) and move null; add it to this.players and return it.
    throw new Error(`TODO: add the player ${name}`);
  }

  leave(id: number): void {
    // TODO: remove the player.
    throw new Error(`TODO: remove player ${id}`);
  }

  setMove(id: number, move: Move | null): void {
    // TODO: the player (if it is still here) holds this move from now on.
    throw new Error(`TODO: player ${id} holds ${move}`);
  }

  /** One tick: every player holding a move steps one cell, unless a wall or the edge is there. */
  step(): number {
    // TODO: for each player with a move, step by MOVES[move] if that cell is open;
    //   then count the tick up and return the new tick.
    throw new Error('TODO: one tick');
  }

  snapshot(): ServerMessage {
    // TODO: { type: 'state', tick, players: [{ id, name, x, y }, …] } — views, not the players
    //   themselves (a player's move is its own business).
    throw new Error('TODO: the state message');
  }
}

// ─── 4. The path pool: worker threads answer path requests by id ────────────────────────────

export interface PathPool {
  /** The length of the shortest path, computed on a worker thread. */
  find(from: Cell, to: Cell): Promise<number>;
  /** Ends every worker; paths still waiting reject, and so do later ones. */
  close(): Promise<void>;
}

// Node 20 cannot start a .ts file as a worker (ERR_UNKNOWN_FILE_EXTENSION): this .mjs entry
// loads the module named in workerData.tsModule through tsx — this very file, which then
// plays the worker's part (see the end of the file).
export const TS_ENTRY = new URL('../../packages/course-kit/src/ts-entry.mjs', import.meta.url);
const PATH_WORKER_ROLE = 'path-worker';

/** Leaves one core to the tick loop: on 2 cores, one path worker. */
export function defaultPathThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function startPathPool(walls: Uint8Array, size: number, threads: number): PathPool {
  // TODO: start `threads` workers, each one
  //     new Worker(TS_ENTRY, {
  //       workerData: { tsModule: import.meta.url, role: PATH_WORKER_ROLE, walls, size },
  //     })
  //   (copy the walls into a SharedArrayBuffer first, and every worker reads the same map).
  // find() posts { id, from, to } to the least busy worker and waits for { id, steps } back:
  //   keep a Map from id to the waiting promise's resolve/reject, per worker. A worker's
  //   'error' or 'exit' rejects what waits on it; close() terminates them all, each once it
  //   has said 'ready' or exited (a few seconds at most): ending a thread while it still loads
  //   its module can crash the whole process.
  throw new Error(
    `TODO: start ${threads} path workers for a ${size} × ${size} map (${walls.length} cells)`,
  );
}

/** The worker's side: answers each request in turn, on its own thread. */
function servePaths(): void {
  // TODO: parentPort.on('message', ({ id, from, to }) => post back { id, steps }), with
  //   steps = shortestPath(walls, size, from, to) and walls, size from workerData. Then post
  //   'ready'.
}

// ─── 5. The server: connections, the tick loop, the broadcast ───────────────────────────────

export interface GameServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (the server reports the one it got). */
  port?: number;
  /** The map's seed; default: a random one (the welcome message tells it). */
  seed?: number;
  /** Path worker threads; default defaultPathThreads(). */
  pathThreads?: number;
}

export interface GameServer {
  port: number;
  /** Stops the ticks, closes every connection and the path workers; resolves once all is down. */
  close(): Promise<void>;
}

/** Where a connection stands: joined or not, and which states it has not acknowledged yet. */
export interface Client {
  connection: WebSocketConnection;
  player: Player | undefined;
  /** Ticks of the states sent and not acknowledged yet, oldest first. */
  unacked: number[];
}

/** Calls `onTick` every TICK_MS on a fixed timeline: a late tick does not push the next ones. */
export function startTicker(onTick: () => void): () => void {
  // TODO: tick n is due at start + n × TICK_MS. After each onTick(), move n to the next slot
  //   still ahead (after a stall, skip the slots missed; never run them in a burst) and
  //   setTimeout until it. Return a function that stops the ticker.
  throw new Error(`TODO: call ${onTick.name || 'onTick'} every ${TICK_MS} ms`);
}

export async function startGameServer(options: GameServerOptions = {}): Promise<GameServer> {
  // TODO 1 (the room): a seed (options.seed, or a random 32-bit one), walls = makeMap(MAP_SIZE,
  //   seed), a Room, and a path pool with options.pathThreads ?? defaultPathThreads() workers.
  // TODO 2 (connections): from '@course/ws-core',
  //     createServer({ host, port, maxPayload: MAX_MESSAGE_BYTES }, onConnection)
  //   then `await server.listen()` gives the port. For each connection
  //   keep a Client. On 'message': binary, or text that parseClientMessage() refuses, gets
  //   { type: 'error', message } and the connection stays open. Then:
  //     join  → room.join(name), answer { type: 'welcome', id, tick, rate: TICK_RATE,
  //             map: { size: MAP_SIZE, seed } }; a second join is an error;
  //     input → (joined players only) room.setMove(id, move), and drop from client.unacked
  //             every tick ≤ message.tick: the player has read those states;
  //     path  → (joined players only) pool.find(from, to), and when it resolves send
  //             { type: 'path', id, steps } — never wait for it anywhere else.
  //   On 'close': forget the client; room.leave() its player.
  // TODO 3 (the tick): startTicker(() => { room.step(); broadcast(); }). broadcast() stringifies
  //   room.snapshot() once and sends it to every joined client — except one with
  //   MAX_UNACKED_STATES ticks in client.unacked (the slow-reader rule: skip it until its
  //   inputs catch up); push the tick onto client.unacked of each one it was sent to.
  // TODO 4 (close): stop the ticker, await server.close(), then pool.close().
  throw new Error(
    `TODO: start the game server on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}`,
  );
}

// The tests run the server in a process of its own, and its path workers start this file
// again: the role in workerData tells the worker's part from the server's.
if (!isMainThread && (workerData as { role?: unknown } | null)?.role === PATH_WORKER_ROLE) {
  servePaths();
}
