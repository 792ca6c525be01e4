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
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createServer, type WebSocketConnection } from '@course/ws-core';

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
  private nextId = 1;

  constructor(
    readonly walls: Uint8Array,
    readonly size: number,
    /** Where new players appear: a seeded generator makes it repeatable. */
    readonly random: () => number = Math.random,
  ) {}

  isOpen(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.size && y < this.size && !this.walls[y * this.size + x];
  }

  /** Adds a player on a random open cell. */
  join(name: string): Player {
    let x: number;
    let y: number;
    do {
      x = Math.floor(this.random() * this.size);
      y = Math.floor(this.random() * this.size);
    } while (!this.isOpen(x, y));
    const player: Player = { id: this.nextId++, name, x, y, move: null };
    this.players.set(player.id, player);
    return player;
  }

  leave(id: number): void {
    this.players.delete(id);
  }

  setMove(id: number, move: Move | null): void {
    const player = this.players.get(id);
    if (player) player.move = move;
  }

  /** One tick: every player holding a move steps one cell, unless a wall or the edge is there. */
  step(): number {
    for (const player of this.players.values()) {
      if (!player.move) continue;
      const [dx, dy] = MOVES[player.move];
      if (this.isOpen(player.x + dx, player.y + dy)) {
        player.x += dx;
        player.y += dy;
      }
    }
    return ++this.tick;
  }

  snapshot(): ServerMessage {
    const players = [...this.players.values()].map(({ id, name, x, y }) => ({ id, name, x, y }));
    return { type: 'state', tick: this.tick, players };
  }
}

// ─── 4. The path pool: worker threads answer path requests by id ────────────────────────────

export interface PathPool {
  /** The length of the shortest path, computed on a worker thread. */
  find(from: Cell, to: Cell): Promise<number>;
  /** Ends every worker; paths still waiting reject, and so do later ones. */
  close(): Promise<void>;
}

type PathRequest = { id: number; from: Cell; to: Cell };
type PathReply = { id: number; steps: number };
type PathWorkerData = {
  tsModule: string;
  role: typeof PATH_WORKER_ROLE;
  walls: Uint8Array;
  size: number;
};
type Waiter = { resolve: (steps: number) => void; reject: (error: Error) => void };

// Node 20 cannot start a .ts file as a worker (ERR_UNKNOWN_FILE_EXTENSION): this .mjs entry
// loads the module named in workerData.tsModule through tsx — this very file, which then
// plays the worker's part (see the end of the file).
export const TS_ENTRY = new URL('../../packages/course-kit/src/ts-entry.mjs', import.meta.url);
const PATH_WORKER_ROLE = 'path-worker';
/** close() ends a worker that never says 'ready' after this long (the tests give close() 3 s). */
const LOAD_GRACE_MS = 2_000;

/** Leaves one core to the tick loop: on 2 cores, one path worker. */
export function defaultPathThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function startPathPool(walls: Uint8Array, size: number, threads: number): PathPool {
  // In a SharedArrayBuffer every worker reads the same walls: the map is shared, not copied.
  const shared = new Uint8Array(new SharedArrayBuffer(walls.length));
  shared.set(walls);
  const data: PathWorkerData = {
    tsModule: import.meta.url,
    role: PATH_WORKER_ROLE,
    walls: shared,
    size,
  };
  const slots = Array.from({ length: threads }, () => {
    const worker = new Worker(TS_ENTRY, { workerData: data });
    // Ending a thread while it still loads its module can crash the whole process, so close()
    // waits until each worker has said 'ready' (its first message) or has exited.
    const loaded = new Promise((resolve) => {
      worker.once('message', resolve);
      worker.once('exit', resolve);
    });
    return {
      worker,
      loaded,
      waiting: new Map<number, Waiter>(),
      failure: undefined as Error | undefined,
    };
  });
  let nextId = 1;
  let closed: Error | undefined;
  for (const [index, slot] of slots.entries()) {
    // A worker that fails takes only its own requests down; the others keep serving.
    const fail = (error: Error) => {
      slot.failure ??= error;
      for (const waiter of slot.waiting.values()) waiter.reject(slot.failure);
      slot.waiting.clear();
    };
    slot.worker.on('message', (message: PathReply | 'ready') => {
      if (message === 'ready') return;
      slot.waiting.get(message.id)?.resolve(message.steps);
      slot.waiting.delete(message.id);
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) =>
      fail(new Error(`path worker ${index + 1} exited with code ${code}`)),
    );
  }
  return {
    find(from, to) {
      // The least busy worker that still runs: a long queue on one while another idles would
      // make paths wait for nothing.
      const alive = slots.filter((slot) => !slot.failure);
      const slot = alive.sort((a, b) => a.waiting.size - b.waiting.size)[0];
      if (closed || !slot)
        return Promise.reject(closed ?? new Error('every path worker has stopped'));
      return new Promise((resolve, reject) => {
        const request: PathRequest = { id: nextId++, from, to };
        slot.waiting.set(request.id, { resolve, reject });
        slot.worker.postMessage(request);
      });
    },
    async close() {
      closed ??= new Error('the path pool was closed');
      const grace = sleep(LOAD_GRACE_MS, undefined, { ref: false });
      await Promise.all(
        slots.map(async ({ worker, loaded }) => {
          await Promise.race([loaded, grace]);
          await worker.terminate();
        }),
      );
    },
  };
}

/** The worker's side: answers each request in turn, on its own thread. */
function servePaths(): void {
  const { walls, size } = workerData as PathWorkerData;
  parentPort?.on('message', ({ id, from, to }: PathRequest) => {
    const reply: PathReply = { id, steps: shortestPath(walls, size, from, to) };
    parentPort?.postMessage(reply);
  });
  parentPort?.postMessage('ready');
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

/**
 * Past this many bytes waiting in our own buffers a client is skipped too. The kernel takes
 * about 4 MB on loopback before `bufferedAmount` moves at all, which is why the
 * acknowledgements are the rule that notices a player who stopped reading within a second.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Calls `onTick` every TICK_MS on a fixed timeline: a late tick does not push the next ones. */
export function startTicker(onTick: () => void): () => void {
  const start = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout;
  const schedule = () => {
    // The next slot still ahead: after a stall, missed slots are skipped, never run in a burst.
    n = Math.max(n + 1, Math.ceil((performance.now() - start) / TICK_MS));
    timer = setTimeout(run, start + n * TICK_MS - performance.now());
  };
  const run = () => {
    onTick();
    schedule();
  };
  schedule();
  return () => clearTimeout(timer);
}

export async function startGameServer(options: GameServerOptions = {}): Promise<GameServer> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const walls = makeMap(MAP_SIZE, seed);
  const room = new Room(walls, MAP_SIZE);
  const pool = startPathPool(walls, MAP_SIZE, options.pathThreads ?? defaultPathThreads());
  const clients = new Set<Client>();

  const send = (client: Client, message: ServerMessage) => {
    client.connection.send(JSON.stringify(message));
  };

  const handle = (client: Client, message: ClientMessage) => {
    const { player } = client;
    if (message.type === 'join') {
      if (player) return send(client, { type: 'error', message: 'already joined' });
      client.player = room.join(message.name);
      const map = { size: MAP_SIZE, seed };
      const welcome = {
        type: 'welcome',
        id: client.player.id,
        tick: room.tick,
        rate: TICK_RATE,
        map,
      } as const;
      return send(client, welcome);
    }
    if (!player)
      return send(client, { type: 'error', message: `join first, then send "${message.type}"` });
    if (message.type === 'input') {
      room.setMove(player.id, message.move);
      // Everything up to this tick has been read: those states are no longer in flight.
      while ((client.unacked[0] ?? Number.POSITIVE_INFINITY) <= message.tick)
        client.unacked.shift();
      return;
    }
    const { id, from, to } = message;
    pool.find(from, to).then(
      (steps) =>
        client.connection.readyState === 'open' && send(client, { type: 'path', id, steps }),
      () =>
        client.connection.readyState === 'open' &&
        send(client, { type: 'error', message: `path ${id} failed; try again` }),
    );
  };

  const broadcast = () => {
    const text = JSON.stringify(room.snapshot()); // once per tick, not once per player
    for (const client of clients) {
      if (!client.player) continue;
      // The slow-reader rule: a player that has not read the last MAX_UNACKED_STATES states (or
      // whose bytes pile up here) is skipped until its acknowledgements catch up, and then gets the latest state.
      if (client.unacked.length >= MAX_UNACKED_STATES) continue;
      if (client.connection.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      client.connection.send(text);
      client.unacked.push(room.tick);
    }
  };

  const server = createServer(
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      maxPayload: MAX_MESSAGE_BYTES,
      closeTimeout: 1000,
    },
    (connection) => {
      const client: Client = { connection, player: undefined, unacked: [] };
      clients.add(client);
      connection.on('message', (data, isBinary) => {
        const message = isBinary ? 'send JSON as text messages' : parseClientMessage(String(data));
        if (typeof message === 'string') send(client, { type: 'error', message });
        else handle(client, message);
      });
      connection.on('close', () => {
        clients.delete(client);
        if (client.player) room.leave(client.player.id);
      });
    },
  );
  // Without a listener an 'error' (say, the listening socket failing) would end the process.
  server.on('error', (error: Error) => console.error(`game server: ${error.message}`));
  let stopTicker: () => void = () => {};
  try {
    const { port } = await server.listen();
    stopTicker = startTicker(() => {
      room.step();
      broadcast();
    });
    return {
      port,
      async close() {
        stopTicker();
        await server.close();
        await pool.close();
      },
    };
  } catch (error) {
    await pool.close();
    throw error;
  }
}

// The tests run the server in a process of its own, and its path workers start this file
// again: the role in workerData tells the worker's part from the server's.
if (!isMainThread && (workerData as { role?: unknown } | null)?.role === PATH_WORKER_ROLE) {
  servePaths();
}
