/**
 * The CPU-heavy "game logic" for 3.2.5: shortest path across a grid map with walls, by
 * breadth-first search. A real server would run A* per unit per tick; the cost profile is
 * the same — milliseconds of pure JavaScript that nothing else can interleave with.
 */

/** A deterministic map: the same map number always draws the same walls (about `wallShare` of cells). */
export function makeMap(size: number, mapNumber: number, wallShare = 0.28): Uint8Array {
  if (!Number.isInteger(size) || size < 2 || size > 4096)
    throw new RangeError(`map size must be 2–4096, got ${size}`);
  const walls = new Uint8Array(size * size);
  let state = mapNumber >>> 0 || 0x9e3779b9; // xorshift32 must not start at 0
  for (let i = 0; i < walls.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    walls[i] = (state >>> 0) / 2 ** 32 < wallShare ? 1 : 0;
  }
  walls[0] = 0; // start and goal are always open
  walls[walls.length - 1] = 0;
  return walls;
}

/** Steps on the shortest 4-neighbour path from the top-left to the bottom-right, or -1. */
export function shortestPath(walls: Uint8Array, size: number): number {
  const goal = size * size - 1;
  const distance = new Int32Array(size * size).fill(-1);
  const queue = new Int32Array(size * size);
  let head = 0;
  let tail = 0;
  distance[0] = 0;
  queue[tail++] = 0;
  while (head < tail) {
    const cell = queue[head++] as number;
    if (cell === goal) return distance[cell] as number;
    const x = cell % size;
    const next = (distance[cell] as number) + 1;
    for (const neighbour of [
      cell - size,
      cell + size,
      x > 0 ? cell - 1 : -1,
      x < size - 1 ? cell + 1 : -1,
    ]) {
      if (neighbour < 0 || neighbour > goal || walls[neighbour] || distance[neighbour] !== -1)
        continue;
      distance[neighbour] = next;
      queue[tail++] = neighbour;
    }
  }
  return -1;
}

export interface PlanRequest {
  /** Which map: the same number always draws the same walls. */
  map: number;
  size: number;
}

/** One heavy job: build map number `map` and find the path across it. */
export function planRoute({ map, size }: PlanRequest): number {
  return shortestPath(makeMap(size, map), size);
}
