import { describe, expect, it } from 'vitest';
import { measure, percentile, round, withSpeedup } from '../src/measure.ts';

describe('measurement helpers', () => {
  it('takes percentiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('rounds to the requested digits', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.23456, 1)).toBe(1.2);
  });

  it('returns the measured function’s value along with non-negative times', async () => {
    const timing = await measure(async () => 42);
    expect(timing.value).toBe(42);
    expect(timing.wallMs).toBeGreaterThanOrEqual(0);
    expect(timing.cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('adds speedup against a named baseline for rates and for times', () => {
    const rates = withSpeedup(
      [
        { name: 'mutex', rate: 10 },
        { name: 'atomic', rate: 25 },
      ],
      'mutex',
      (r) => r.rate,
      'higher',
    );
    expect(rates.map((r) => r.speedup)).toEqual([1, 2.5]);
    const times = withSpeedup(
      [
        { name: 'ipc', us: 120 },
        { name: 'thread', us: 40 },
      ],
      'ipc',
      (r) => r.us,
      'lower',
    );
    expect(times.map((r) => r.speedup)).toEqual([1, 3]);
    expect(() => withSpeedup([{ name: 'a' }], 'b', () => 1, 'higher')).toThrow(
      'no row named "b" to compare against',
    );
  });
});
