import { describe, expect, it } from 'vitest';
import { mapInOrder } from './02-map-in-order.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fn that sleeps a pseudo-random time per item and records how many calls overlap. */
function tracked() {
  const stats = { running: 0, peak: 0, started: [] as number[] };
  const fn = async (item: number) => {
    stats.started.push(item);
    stats.running++;
    stats.peak = Math.max(stats.peak, stats.running);
    await pause((item * 7) % 11);
    stats.running--;
    return item * 10;
  };
  return { stats, fn };
}

describe('3.3/02 mapInOrder', () => {
  it('returns results in the order of the items, not the order they finish', async () => {
    const { fn } = tracked();
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(await mapInOrder(items, 4, fn)).toEqual(items.map((i) => i * 10));
  });

  it('never runs more than `limit` calls at once, and does reach the limit', async () => {
    const { stats, fn } = tracked();
    await mapInOrder(
      Array.from({ length: 30 }, (_, i) => i),
      3,
      fn,
    );
    expect(stats.peak, 'calls running at the same time').toBe(3);
  });

  it('starts the next item as soon as any call finishes', async () => {
    // Calls finish only when the test says so, so the order is the same on any machine.
    const finish = new Map<string, () => void>();
    const started: string[] = [];
    const fn = (item: string) =>
      new Promise<string>((resolve) => {
        started.push(item);
        finish.set(item, () => resolve(item.toUpperCase()));
      });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const mapped = mapInOrder(['slow', 'b', 'c', 'd'], 2, fn);
    await settle();
    expect(started, 'started at once').toEqual(['slow', 'b']);
    finish.get('b')?.();
    await settle();
    expect(started, 'after b finished').toEqual(['slow', 'b', 'c']);
    finish.get('c')?.();
    await settle();
    expect(started, 'after c finished, while slow still runs').toEqual(['slow', 'b', 'c', 'd']);
    finish.get('d')?.();
    finish.get('slow')?.();
    expect(await mapped).toEqual(['SLOW', 'B', 'C', 'D']);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const fn = async (item: number) => {
      started.push(item);
      await pause(2);
      if (item === 2) throw new Error('item 2 failed');
      return item;
    };
    await expect(mapInOrder([0, 1, 2, 3, 4, 5, 6, 7], 1, fn)).rejects.toThrow('item 2 failed');
    await pause(20);
    expect(started, 'items started').toEqual([0, 1, 2]);
  });

  it('handles no items and refuses a limit below 1', async () => {
    expect(await mapInOrder([], 3, async (x: number) => x)).toEqual([]);
    await expect(mapInOrder([1], 0, async (x: number) => x)).rejects.toBeInstanceOf(RangeError);
  });
});
