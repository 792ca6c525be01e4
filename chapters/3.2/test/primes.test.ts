import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResultTable } from '../src/gil-lesson.ts';
import { countPrimes, countPrimesInRanges, deal, isPrime, splitRange } from '../src/primes.ts';

describe('the CPU-bound kernel', () => {
  it.each([
    [10, 4],
    [100, 25],
    [1_000, 168],
    [100_000, 9_592],
  ])('counts the primes below %i as %i', (limit, expected) => {
    expect(countPrimes(0, limit)).toBe(expected);
  });

  it('decides small numbers correctly, including 0, 1, 2 and squares', () => {
    expect([0, 1, 2, 3, 4, 9, 25, 29, 49, 97].map(isPrime)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      true,
      false,
      true,
    ]);
  });

  it('gets the same total however the range is split and dealt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        (limit, parts, hands) => {
          const ranges = splitRange(limit, parts);
          expect(ranges[0]?.[0]).toBe(0);
          expect(ranges.at(-1)?.[1]).toBe(limit);
          for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.[0]).toBe(ranges[i - 1]?.[1]);
          const dealt = deal(ranges, hands);
          expect(dealt.flat()).toHaveLength(parts);
          const total = dealt.reduce((sum, hand) => sum + countPrimesInRanges(hand), 0);
          expect(total).toBe(countPrimes(0, limit));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects a split into zero parts with a clear message', () => {
    expect(() => splitRange(100, 0)).toThrow('parts must be a whole number ≥ 1, got 0');
  });
});

describe('ResultTable', () => {
  it('refuses to time a variant whose answer differs from the first row', () => {
    const table = new ResultTable();
    table.add('sequential', { value: 168, wallMs: 100, cpuMs: 100 });
    expect(() => table.add('broken workers', { value: 167, wallMs: 10, cpuMs: 20 })).toThrow(
      'broken workers got 167, expected 168',
    );
    expect(table.rows).toHaveLength(1);
  });

  it('computes speedup against the first row and efficiency per worker the row computed on', () => {
    const table = new ResultTable();
    table.add('sequential', { value: 1, wallMs: 100, cpuMs: 100 });
    const row = table.add('two workers', { value: 1, wallMs: 50, cpuMs: 100 }, 0, 2);
    expect(row).toMatchObject({ speedup: 2, efficiency: 1, wall_ms: 50, cpu_ms: 100 });
    // A row that mostly waits has no efficiency: its speedup does not come from CPUs.
    expect(table.add('waits', { value: 1, wallMs: 10, cpuMs: 1 })).not.toHaveProperty('efficiency');
  });
});
