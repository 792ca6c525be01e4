// The worker of tiny-pool.ts: plain JavaScript, so `new Worker` can load it under node, tsx
// and vitest alike. Each message is one task, { id, input }; each reply carries the same id.
import { parentPort } from 'node:worker_threads';

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

parentPort.on('message', ({ id, input }) => {
  try {
    if (!Number.isInteger(input) || input < 0 || input > 40) {
      throw new RangeError(`fib expects a whole number from 0 to 40, got ${input}`);
    }
    parentPort.postMessage({ id, value: fib(input) });
  } catch (error) {
    // A task that throws fails alone; the worker lives on to take the next one.
    parentPort.postMessage({ id, error: String(error) });
  }
});

// Loaded: the pool may send tasks now. A script that fails to load never gets here.
parentPort.postMessage({ ready: true });
