import { callInWorker, THREAD_DRILLS } from '@course/classroom/concurrency';
import { countPrimes } from '@course/classroom/drills/threads';
import { describe, expect, it } from 'vitest';
import { countPrimesParallel, splitRange } from './02-split-job.ts';

const DRILL = THREAD_DRILLS;

describe('3.2/02 splitting a CPU job', () => {
  it('splits a range into contiguous pieces that cover it exactly', () => {
    for (const [start, end, parts] of [
      [2, 100, 4],
      [0, 10, 3],
      [5, 6, 4],
      [0, 1000, 7],
    ] as const) {
      const ranges = splitRange(start, end, parts);
      const label = `splitRange(${start}, ${end}, ${parts}) = ${JSON.stringify(ranges)}`;
      expect(ranges[0]?.[0], label).toBe(start);
      expect(ranges.at(-1)?.[1], label).toBe(end);
      for (let i = 1; i < ranges.length; i++)
        expect(ranges[i]?.[0], label).toBe(ranges[i - 1]?.[1]);
      expect(ranges.length, label).toBe(Math.min(parts, end - start));
    }
  });

  it('makes pieces whose sizes differ by at most one and are never empty', () => {
    const sizes = splitRange(0, 1003, 4).map(([a, b]) => b - a);
    expect(Math.max(...sizes) - Math.min(...sizes), `sizes ${sizes}`).toBeLessThanOrEqual(1);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(splitRange(0, 0, 4)).toEqual([]);
  });

  it('starts every piece before any piece finishes, and adds up the answers', async () => {
    let running = 0;
    let peak = 0;
    const runChunk = async (start: number, end: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return end - start;
    };
    expect(await countPrimesParallel(1002, 4, runChunk)).toBe(1000);
    expect(peak, 'pieces running at the same time').toBe(4);
  });

  it('fails the whole job when one piece fails', async () => {
    const runChunk = async (start: number) => {
      if (start > 2) throw new Error('piece failed');
      return 1;
    };
    await expect(countPrimesParallel(100, 3, runChunk)).rejects.toThrow('piece failed');
  });

  it('counts the primes below 200000 on two worker threads, as one thread would', async () => {
    const viaWorkers = (start: number, end: number) =>
      callInWorker<number>(DRILL, 'countPrimes', [start, end]).result;
    expect(await countPrimesParallel(200_000, 2, viaWorkers)).toBe(countPrimes(2, 200_000));
  });
});
