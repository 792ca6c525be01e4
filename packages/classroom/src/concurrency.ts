/**
 * Helpers for concurrency exercises: run a student's function in worker threads, and turn a
 * hang into a failure that says what was held.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@course/course-kit';

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Resolves like `promise`, or rejects after `ms` with a message built by `describe()` at
 * that moment — e.g. which worker holds which lock — and then runs `cleanup`.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  describe: () => string,
  cleanup?: () => unknown,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const message = `no progress after ${ms} ms: ${describe()}`;
      Promise.resolve(cleanup?.()).finally(() => reject(new DeadlineError(message)));
    }, ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface WorkerCall<T> {
  result: Promise<T>;
  worker: Worker;
}

/** Starts a worker thread that calls `exportName(...args)` from `module` once. */
export function callInWorker<T>(module: URL, exportName: string, args: unknown[]): WorkerCall<T> {
  const worker = startTsWorker(new URL('./call.worker.ts', import.meta.url), {
    module: module.href,
    exportName,
    args,
  });
  const result = new Promise<T>((resolve, reject) => {
    worker.once('message', (reply: { ok: boolean; value?: T; message?: string }) => {
      if (reply.ok) resolve(reply.value as T);
      else reject(new Error(`${exportName} threw in a worker: ${reply.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`worker running ${exportName} exited with code ${code} before answering`)),
    );
  });
  return { result, worker };
}

/**
 * Calls `exportName` in one worker per argument list, all at once; fails with `describe()`
 * if they have not all finished after `ms`, and always terminates every worker.
 */
export async function callInWorkers<T>(
  module: URL,
  exportName: string,
  argsPerWorker: unknown[][],
  ms: number,
  describe: () => string = () =>
    `${argsPerWorker.length} workers running ${exportName} did not finish`,
): Promise<T[]> {
  const calls = argsPerWorker.map((args) => callInWorker<T>(module, exportName, args));
  const stopAll = () => Promise.all(calls.map((c) => c.worker.terminate()));
  try {
    return await withDeadline(Promise.all(calls.map((c) => c.result)), ms, describe, stopAll);
  } finally {
    await stopAll();
  }
}
