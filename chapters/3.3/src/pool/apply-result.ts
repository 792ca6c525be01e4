/**
 * The handle `applyAsync` returns, after Python's `multiprocessing.pool.ApplyResult`:
 * `get(timeout)`, `wait(timeout)`, `ready()`, `successful()`. It also is a promise-like,
 * so `await pool.applyAsync(...)` works.
 */

import { describeThrown } from '@course/course-kit/workers';
import { checkTimeout } from '../sync/timeout.ts';
import { PoolStateError, TimeoutError } from './errors.ts';

/** The warning code a throwing callback or errorCallback is reported under. */
export const CALLBACK_WARNING = 'POOL_CALLBACK_THREW';

type State<R> =
  | { kind: 'pending' }
  | { kind: 'done'; value: R }
  | { kind: 'failed'; error: unknown };

export class ApplyResult<R> implements PromiseLike<R> {
  private state: State<R> = { kind: 'pending' };
  private readonly settled: Promise<R>;

  constructor(
    readonly label: string,
    promise: Promise<R>,
  ) {
    this.settled = promise.then(
      (value) => {
        this.state = { kind: 'done', value };
        return value;
      },
      (error: unknown) => {
        this.state = { kind: 'failed', error };
        throw error;
      },
    );
    // A result nobody asks for must not become an unhandled rejection that kills the
    // process: the error is still delivered to get(), then() and errorCallback.
    this.settled.catch(() => {});
  }

  ready(): boolean {
    return this.state.kind !== 'pending';
  }

  /** Like Python, asking before the result is ready is a mistake, not `false`. */
  successful(): boolean {
    if (this.state.kind === 'pending') throw new PoolStateError(`${this.label} is not ready yet`);
    return this.state.kind === 'done';
  }

  /**
   * The value, or the task's error; with `timeoutMs`, a TimeoutError if it takes longer
   * (Infinity: no limit; a negative or NaN limit is a RangeError).
   */
  get(timeoutMs?: number): Promise<R> {
    let limit: number | undefined;
    try {
      limit = checkTimeout(timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (limit === undefined) return this.settled;
    const ms = limit;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(this.label, ms)), ms);
      this.settled.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** Resolves when the result is ready or `timeoutMs` passes; rejects only for a bad limit. */
  async wait(timeoutMs?: number): Promise<void> {
    checkTimeout(timeoutMs); // a caller's mistake must not read as "ready"
    await this.get(timeoutMs).catch(() => {});
  }

  // biome-ignore lint/suspicious/noThenProperty: deliberately awaitable, like a promise
  then<T1 = R, T2 = never>(
    onFulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.settled.then(onFulfilled, onRejected);
  }
}

/**
 * Runs applyAsync's callback or errorCallback once `result` settles. A callback that throws
 * (or returns a promise that rejects) is reported as a process warning naming the task; it
 * must not become an unhandled rejection, which ends the whole Node process, pool and all.
 */
export function runCallbacks<R>(
  result: ApplyResult<R>,
  callback: ((value: R) => void) | undefined,
  errorCallback: ((error: unknown) => void) | undefined,
): void {
  const guarded =
    <T>(name: string, fn: ((arg: T) => void) | undefined) =>
    (arg: T): void => {
      if (!fn) return;
      Promise.resolve()
        .then(() => fn(arg))
        .catch((thrown: unknown) => {
          process.emitWarning(
            `${result.label}: its ${name} threw ${describeThrown(thrown)} (the task's result is unchanged; the pool goes on)`,
            { code: CALLBACK_WARNING },
          );
        });
    };
  result.then(guarded('callback', callback), guarded('errorCallback', errorCallback));
}
