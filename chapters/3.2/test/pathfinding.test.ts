import { describe, expect, it } from 'vitest';
import { makeMap, planRoute, shortestPath } from '../src/pathfinding.ts';

describe('route planning kernel', () => {
  it('walks 2·(size−1) steps across a map with no walls', () => {
    expect(shortestPath(makeMap(10, 1, 0), 10)).toBe(18);
  });

  it('reports -1 when a wall cuts the goal off', () => {
    const walls = makeMap(3, 1, 0);
    walls[5] = 1; // right of the centre
    walls[7] = 1; // below the centre: the bottom-right corner is now enclosed
    expect(shortestPath(walls, 3)).toBe(-1);
  });

  it('goes around a wall rather than through it', () => {
    // . # .
    // . # .
    // . . .
    const walls = Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(shortestPath(walls, 3)).toBe(4);
  });

  it('draws the same map for the same map number, and keeps start and goal open', () => {
    const a = makeMap(50, 42);
    expect(makeMap(50, 42)).toEqual(a);
    expect(makeMap(50, 43)).not.toEqual(a);
    expect(a[0]).toBe(0);
    expect(a[a.length - 1]).toBe(0);
    expect(planRoute({ map: 42, size: 50 })).toBe(shortestPath(a, 50));
  });

  it('refuses a map size outside 2–4096', () => {
    expect(() => makeMap(1, 1)).toThrow('map size must be 2–4096, got 1');
  });
});
