/**
 * The CPU-bound kernel for the GIL lesson: count primes by trial division.
 *
 * Why this kernel: pure JavaScript arithmetic (no I/O, no allocation), an exactly known answer
 * to check every variant against (π(10^6) = 78498), and easy to split into independent ranges.
 */

export type Range = readonly [lo: number, hi: number];

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** Primes in [lo, hi). */
export function countPrimes(lo: number, hi: number): number {
  let count = 0;
  for (let n = lo; n < hi; n++) if (isPrime(n)) count++;
  return count;
}

/** Splits [0, limit) into `parts` ranges of (nearly) equal width, covering it exactly. */
export function splitRange(limit: number, parts: number): Range[] {
  if (!Number.isInteger(limit) || limit < 0)
    throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  if (!Number.isInteger(parts) || parts < 1)
    throw new RangeError(`parts must be a whole number ≥ 1, got ${parts}`);
  return Array.from({ length: parts }, (_, i) => [
    Math.floor((limit * i) / parts),
    Math.floor((limit * (i + 1)) / parts),
  ]);
}

/**
 * Deals ranges round-robin to `hands` workers. Neighbouring ranges cost about the same, so
 * dealing them out (rather than giving worker 1 the first half) keeps the workers balanced:
 * trial division gets slower as numbers grow.
 */
export function deal<T>(items: readonly T[], hands: number): T[][] {
  const out: T[][] = Array.from({ length: hands }, () => []);
  for (const [i, item] of items.entries()) out[i % hands]?.push(item);
  return out;
}

/** What a primes worker or child does with one request. */
export function countPrimesInRanges(ranges: readonly Range[]): number {
  let total = 0;
  for (const [lo, hi] of ranges) total += countPrimes(lo, hi);
  return total;
}
