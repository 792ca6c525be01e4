import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LatencyHistogram } from '../src/load/latency.ts';

/** The exact nearest-rank percentile, for comparison. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN;
}

describe('LatencyHistogram', () => {
  test('reports NaN for every percentile and the max until something is recorded', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.percentile(50)).toBeNaN();
    expect(histogram.max).toBeNaN();
  });

  test('gives each percentile within 2 % above the exact one, never above the max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 100_000, noNaN: true }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.constantFrom(0, 1, 50, 90, 99, 100),
        (values, p) => {
          const histogram = new LatencyHistogram();
          for (const value of values) histogram.record(value);
          const want = exact(values, p);
          const got = histogram.percentile(p);
          expect(got).toBeGreaterThanOrEqual(want);
          expect(got).toBeLessThanOrEqual(want * 1.02 + 1e-12);
          expect(got).toBeLessThanOrEqual(histogram.max);
        },
      ),
    );
  });

  test('keeps the exact max and counts latencies far outside its range', () => {
    const histogram = new LatencyHistogram();
    for (const ms of [0, 0.0001, 5, 1e9]) histogram.record(ms);
    expect(histogram.count).toBe(4);
    expect(histogram.max).toBe(1e9);
    expect(histogram.percentile(100)).toBe(1e9);
    expect(histogram.percentile(25)).toBeLessThanOrEqual(0.001);
  });

  test.each([-1, Number.NaN])('refuses a latency of %s ms', (ms) => {
    expect(() => new LatencyHistogram().record(ms)).toThrow(RangeError);
  });

  test.each([-1, 101])('refuses percentile %s', (p) => {
    expect(() => new LatencyHistogram().percentile(p)).toThrow('a percentile is from 0 to 100');
  });
});
