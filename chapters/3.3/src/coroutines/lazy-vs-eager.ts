/**
 * Measures the original chapter's claim that a generator is "fast and puts no pressure on memory":
 * sum the first `count` Fibonacci numbers three ways and record time and peak heap growth.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FIB_MODULUS, fibonacci, fibonacciArray } from './fibonacci.ts';

export interface LazyEagerResult {
  name: 'generator' | 'array' | 'plain loop';
  ms: number;
  /** Highest heap use above the starting point, sampled while the sum runs. */
  peakHeapMiB: number;
  checksum: number;
}

/** A real collection between runs makes "peak above baseline" mean something. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const SAMPLE_EVERY = 1 << 16;

function measure(
  name: LazyEagerResult['name'],
  run: (sample: () => void) => number,
): LazyEagerResult {
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const start = performance.now();
  const checksum = run(sample);
  const ms = performance.now() - start;
  sample();
  return { name, ms, peakHeapMiB: (peak - base) / 2 ** 20, checksum };
}

export function compareLazyAndEager(count: number): LazyEagerResult[] {
  const addMod = (sum: number, value: number) => (sum + value) % FIB_MODULUS;
  return [
    measure('generator', (sample) => {
      let sum = 0;
      let i = 0;
      for (const value of fibonacci()) {
        if (i++ === count) break;
        sum = addMod(sum, value);
        if ((i & (SAMPLE_EVERY - 1)) === 0) sample();
      }
      return sum;
    }),
    measure('array', (sample) => {
      const values = fibonacciArray(count);
      sample();
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum = addMod(sum, values[i] as number);
      return sum;
    }),
    measure('plain loop', (sample) => {
      let sum = 0;
      let a = 0;
      let b = 1;
      for (let i = 0; i < count; i++) {
        sum = addMod(sum, a);
        const next = (a + b) % FIB_MODULUS;
        a = b;
        b = next;
        if ((i & (SAMPLE_EVERY - 1)) === 0) sample();
      }
      return sum;
    }),
  ];
}
