/**
 * Helpers for concurrency exercises: run a student's function in worker threads, and turn a
 * hang into a failure that says what was held.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@course/course-kit';
import { terminateWhenLoaded } from '@course/course-kit/workers';

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
      // Reject before cleaning up: terminating the workers makes them report their own exit,
      // and the reason a student needs to read is the one that names what was held.
      reject(new DeadlineError(`no progress after ${ms} ms: ${describe()}`));
      cleanup?.();
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
  /**
   * Ends the worker once it has answered or exited, or after LOAD_GRACE_MS if it has not:
   * terminating a thread while it still loads a module can crash the whole process.
   */
  stop(): Promise<void>;
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
      reject(
        new Error(
          `a worker thread running ${exportName} (which calls your code) exited with code ${code} before answering`,
        ),
      ),
    );
  });
  const answered = result.then(
    () => {},
    () => {},
  );
  return { result, worker, stop: () => terminateWhenLoaded(worker, answered) };
}

export interface WorkersOptions {
  /** How long the workers may run once they are all at the start line. */
  deadlineMs: number;
  /** Says what was held when the deadline passed, e.g. LockTable's describe(). */
  describe?: () => string;
  /**
   * The drills' start line (see drills/threads.ts `startLine`). With it, the deadline counts
   * from the moment every worker has started: starting threads is slow on a busy machine,
   * and that must never be mistaken for a deadlock.
   */
  startLine?: Int32Array;
}

const STARTUP_LIMIT_MS = 60_000;

/** Resolves once every party has reached the start line, polling (the main thread must not block). */
async function everyoneStarted(line: Int32Array, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Atomics.load(line, 0) < Atomics.load(line, 1)) {
    if (stopped()) return;
    if (Date.now() > deadline)
      throw new DeadlineError(`the workers did not all start within ${STARTUP_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Calls `exportName` in one worker per argument list, all at once; fails with `describe()`
 * if they have not all finished in time, and always terminates every worker.
 */
export async function callInWorkers<T>(
  module: URL,
  exportName: string,
  argsPerWorker: unknown[][],
  options: WorkersOptions,
): Promise<T[]> {
  const calls = argsPerWorker.map((args) => callInWorker<T>(module, exportName, args));
  const all = Promise.all(calls.map((c) => c.result));
  let settled = false;
  all.then(
    () => (settled = true),
    () => (settled = true),
  );
  // Once every worker has reached the start line, all have loaded their modules and may be
  // terminated at once; before that, each is stopped only once it has answered or exited.
  let everyoneArrived = false;
  const stopAll = () =>
    Promise.all(calls.map((c) => (everyoneArrived ? c.worker.terminate() : c.stop())));
  const describe =
    options.describe ??
    (() => `${argsPerWorker.length} workers running ${exportName} did not finish`);
  try {
    const line = options.startLine;
    if (line) {
      await Promise.race([everyoneStarted(line, () => settled), all]);
      everyoneArrived = Atomics.load(line, 0) >= Atomics.load(line, 1);
    }
    return await withDeadline(all, options.deadlineMs, describe, stopAll);
  } finally {
    await stopAll();
  }
}

/** Modules that exercise tests start in workers and children (see drills/). */
export const THREAD_DRILLS = new URL('./drills/threads.ts', import.meta.url);
export const RPC_PEER = new URL('./drills/rpc-peer.child.ts', import.meta.url);
