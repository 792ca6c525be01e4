/**
 * gevent's AsyncResult: an Event that carries a value or an error. One side calls
 * set()/setException() once; any number of tasks get() it, before or after.
 */
import { SyncError } from './errors.ts';
import { WaiterList, type WaitOptions } from './waiters.ts';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class AsyncResult<T> {
  private outcome: Outcome<T> | undefined;
  private readonly waiters = new WaiterList<Outcome<T>>();

  ready(): boolean {
    return this.outcome !== undefined;
  }

  /** True once set with a value; false when pending or set with an exception. */
  successful(): boolean {
    return this.outcome?.ok === true;
  }

  set(value: T): void {
    this.settle({ ok: true, value });
  }

  setException(error: unknown): void {
    this.settle({ ok: false, error });
  }

  async get(options: WaitOptions = {}): Promise<T> {
    const outcome =
      this.outcome ?? (await this.waiters.wait('asyncResult.get()', undefined, options));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Resolves when ready, whatever the outcome; rejects only on timeout or abort. */
  async wait(options: WaitOptions = {}): Promise<void> {
    if (!this.outcome) await this.waiters.wait('asyncResult.wait()', undefined, options);
  }

  private settle(outcome: Outcome<T>): void {
    // A second answer would contradict what earlier readers saw.
    if (this.outcome)
      throw new SyncError('asyncResult is already set; create a new one per answer');
    this.outcome = outcome;
    this.waiters.wakeAll(outcome);
  }
}
