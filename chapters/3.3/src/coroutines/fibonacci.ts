/**
 * The original chapter's `foo()` generator, named for what it yields. Values are taken modulo a prime so
 * they stay small integers: the lesson is laziness, not big-number arithmetic (a plain JS
 * number loses precision after fib(78)).
 */
export const FIB_MODULUS = 1_000_000_007;

/** Yields the Fibonacci numbers (mod FIB_MODULUS) one at a time, forever, on demand. */
export function* fibonacci(): Generator<number, never, undefined> {
  let a = 0;
  let b = 1;
  while (true) {
    yield a;
    const next = (a + b) % FIB_MODULUS;
    a = b;
    b = next;
  }
}

/** The eager alternative: the first `count` numbers, all held in memory at once. */
export function fibonacciArray(count: number): number[] {
  const out = new Array<number>(count);
  let a = 0;
  let b = 1;
  for (let i = 0; i < count; i++) {
    out[i] = a;
    const next = (a + b) % FIB_MODULUS;
    a = b;
    b = next;
  }
  return out;
}

/** The first `count` values of any iterable; stops the iterator (its `finally` runs). */
export function take<T>(source: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const value of source) {
    out.push(value);
    if (out.length >= count) break;
  }
  return out;
}
