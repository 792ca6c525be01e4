/**
 * 3.3/01 — A lazy Fibonacci generator, and `take`.
 *
 * A generator computes a value only when asked for it, so an endless sequence costs no
 * memory until someone pulls from it. `fibonacci()` yields 0, 1, 1, 2, 3, 5, … for ever, as
 * bigint so that large terms stay exact; `take(source, n)` yields the first n values of any
 * iterable and pulls no more than that from it.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/01)
 */

// TODO: make both of these generator functions (function*), so they can yield.
export function fibonacci(): Generator<bigint, never, undefined> {
  // TODO: keep two bigints and yield the smaller one, for ever.
  throw new Error('TODO: yield the Fibonacci numbers');
}

export function take<T>(source: Iterable<T>, n: number): Generator<T, void, undefined> {
  // TODO: yield the first n values of source; do not ask source for an (n+1)th.
  throw new Error(`TODO: take ${n} values from ${String(source)}`);
}
