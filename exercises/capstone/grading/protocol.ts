/**
 * The grader's own copy of the capstone's protocol constants, message shapes and map: the
 * tests check a server's answers against this, never against the code under test.
 * (docs/capstone.md describes the same protocol for people.)
 */

export const TICK_RATE = 20;
export const TICK_MS = 1000 / TICK_RATE;
export const MAP_SIZE = 1536;
export const MAX_UNACKED_STATES = 20;

export const MOVES = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] } as const;
export type Move = keyof typeof MOVES;
export type Cell = [x: number, y: number];

export interface PlayerView {
  id: number;
  name: string;
  x: number;
  y: number;
}

export interface Welcome {
  type: 'welcome';
  id: number;
  tick: number;
  rate: number;
  map: { size: number; seed: number };
}
export interface State {
  type: 'state';
  tick: number;
  players: PlayerView[];
}
export interface PathReply {
  type: 'path';
  id: number;
  steps: number;
}
export interface ErrorReply {
  type: 'error';
  message: string;
}
export type ServerMessage = Welcome | State | PathReply | ErrorReply;

/** The same generator as the stub's: the same seed always draws the same walls. */
export function makeMap(size: number, seed: number): Uint8Array {
  const walls = new Uint8Array(size * size);
  let state = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < walls.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    walls[i] = (state >>> 0) / 2 ** 32 < 0.28 ? 1 : 0;
  }
  return walls;
}

/** Steps on the shortest 4-neighbour path, or -1: breadth-first search, as in the stub. */
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

/** An open cell near `corner`, searched along the diagonal: the far ends of heavy paths. */
export function openCellNear(walls: Uint8Array, size: number, corner: Cell): Cell {
  const [cx, cy] = corner;
  const sx = cx === 0 ? 1 : -1;
  const sy = cy === 0 ? 1 : -1;
  for (let d = 0; d < size; d++) {
    for (let i = 0; i <= d; i++) {
      const x = cx + sx * i;
      const y = cy + sy * (d - i);
      if (!walls[y * size + x]) return [x, y];
    }
  }
  throw new Error('the map has no open cell');
}
