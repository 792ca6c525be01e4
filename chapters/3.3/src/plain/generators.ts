/**
 * 3.3.2 Generators — a function that can stop in the middle and carry on later.
 * Shows:  1. function* and yield, next() by hand, for...of with a break;
 *         2. next(value) sends a value in: it becomes the result of the paused yield;
 *         3. return() ends a generator early, and its finally block runs.
 * Run:    npx tsx chapters/3.3/src/plain/generators.ts
 * Expect: "first ten: 0 1 1 2 3 5 8 13 21 34", "averages: 10 15 20", "finally ran".
 */
import { pathToFileURL } from 'node:url';

// #region fibonacci
/** Endless, and safe: each value is computed only when someone asks for it. */
export function* fibonacci(): Generator<number, never, undefined> {
  let [a, b] = [0, 1];
  for (;;) {
    yield a; // pause here; the next next() carries on from this line
    [a, b] = [b, a + b];
  }
}

/** The first `count` values. A for...of over an endless generator needs its own way out. */
export function take<T>(values: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const value of values) {
    out.push(value);
    if (out.length === count) break; // break calls the generator's return()
  }
  return out;
}
// #endregion fibonacci

// #region averager
/** Two-way: each next(number) sends a number in and gets the running average back. */
export function* averager(): Generator<number, void, number> {
  let total = 0;
  let count = 0;
  let average = Number.NaN;
  for (;;) {
    const value = yield average; // hands `average` out, then waits for the next number
    total += value;
    count++;
    average = total / count;
  }
}
// #endregion averager

// #region cleanup
/** Counts down; whoever stops early still gets the finally block run. */
export function* countdown(from: number, log: string[]): Generator<number, void, undefined> {
  try {
    for (let n = from; n > 0; n--) yield n;
  } finally {
    log.push('finally ran');
  }
}
// #endregion cleanup

function main(): void {
  const fib = fibonacci();
  console.log(`next() by hand: ${JSON.stringify(fib.next())} ${JSON.stringify(fib.next())}`);
  console.log(`first ten: ${take(fibonacci(), 10).join(' ')}`);

  const avg = averager();
  avg.next(); // run to the first yield: now a value can be sent
  const averages = [10, 20, 30].map((n) => avg.next(n).value);
  console.log(`averages: ${averages.join(' ')}`);

  const log: string[] = [];
  const down = countdown(5, log);
  console.log(`countdown: ${down.next().value} ${down.next().value}, then return()`);
  console.log(`return() gives ${JSON.stringify(down.return())}; ${log.join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
