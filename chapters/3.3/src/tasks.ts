/**
 * Task functions the samples and benchmarks send to pools. A pool runs them by name
 * (module URL + export), so they live in their own module with no side effects on import.
 */
import { threadId } from 'node:worker_threads';
import { taskRef } from './pool/task-ref.ts';

const HERE = new URL('./tasks.ts', import.meta.url);

/** The original chapter's `Test(a, b)`, returning its line instead of printing it from the worker. */
export function describePair(a: number, b: number): string {
  return `${a}->${b}`;
}

export function square(n: number): number {
  return n * n;
}

/** Naive recursive Fibonacci: pure CPU work whose answer is easy to check. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/**
 * A fixed amount of CPU work (an xorshift loop): same `rounds`, same answer, on any thread.
 * About 1 ms for 400,000 rounds on the course's test machine.
 */
export function spin(rounds: number): number {
  let x = 2463534242;
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
  }
  return x;
}

/** Checks a chess-style square such as "e4"; throws for anything off an 8×8 board. */
export function validateMove(square: string): string {
  if (!/^[a-h][1-8]$/.test(square)) throw new RangeError(`move "${square}" is off the board`);
  return square;
}

/** Which worker ran this call: its process id and thread id, such as "4242:1". */
export function workerId(): string {
  return `${process.pid}:${threadId}`;
}

// #region tasks
export const tasks = {
  describePair: taskRef<typeof describePair>(HERE, 'describePair'),
  square: taskRef<typeof square>(HERE, 'square'),
  fib: taskRef<typeof fib>(HERE, 'fib'),
  spin: taskRef<typeof spin>(HERE, 'spin'),
  validateMove: taskRef<typeof validateMove>(HERE, 'validateMove'),
  workerId: taskRef<typeof workerId>(HERE, 'workerId'),
};
// #endregion tasks
