/**
 * 3.3/01 — A lazy Fibonacci generator, and `take`.
 *
 * A generator computes a value only when asked for it, so an endless sequence costs no
 * memory until someone pulls from it. `fibonacci()` yields 0, 1, 1, 2, 3, 5, … for ever, as
 * bigint so that large terms stay exact; `take(source, n)` yields the first n values of any
 * iterable and pulls no more than that from it.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/01)
 */

export function* fibonacci(): Generator<bigint, never, undefined> {
  let [current, next] = [0n, 1n];
  for (;;) {
    yield current;
    [current, next] = [next, current + next];
  }
}

export function* take<T>(source: Iterable<T>, n: number): Generator<T, void, undefined> {
  if (n <= 0) return;
  let taken = 0;
  for (const value of source) {
    yield value;
    // Stop before asking for one more: the source may be endless, or costly per value.
    if (++taken >= n) return;
  }
}
