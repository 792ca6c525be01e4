/**
 * The one waiting mechanism every structure here builds on: a FIFO of parked callers, each
 * woken at most once — by a hand-off, a timeout or an abort, whichever comes first.
 *
 * Hand-off is the key to fairness: a releaser gives the permit (or item) straight to the
 * oldest waiter instead of putting it back where a newcomer could grab it first.
 */
import { AbortWatches } from './abort-watches.ts';
import { Deque } from './deque.ts';
import { WaitTimeoutError } from './errors.ts';
import { checkTimeout } from './timeout.ts';

export interface WaitOptions {
  /** Give up after this many milliseconds with a WaitTimeoutError; Infinity: no limit. */
  timeoutMs?: number;
  /** Give up when this signal aborts, rejecting with its reason. */
  signal?: AbortSignal;
}

export interface Waiter<T, P> {
  /** What the waiter brought along (a Queue putter's item). */
  readonly payload: P;
  /** Wakes the waiter with `value`. */
  resolve(value: T): void;
}

interface Parked<T, P> extends Waiter<T, P> {
  /** Set when the waiter left by timeout or abort; hand-offs skip it. */
  gone: boolean;
  /** Rejects the waiter with `error`, unless it was woken or left already. */
  leave(error: unknown): void;
}

export class WaiterList<T, P = undefined> {
  private readonly parked = new Deque<Parked<T, P>>();
  private live = 0;
  /** Waiters that share a signal (a Group's, or one passed to many waits) share its listener. */
  private readonly watches = new AbortWatches<Parked<T, P>>((entries, reason) => {
    // A copy: each leave() takes its entry out of the set.
    for (const each of [...entries]) each.leave(reason);
  });

  /** Callers still waiting (timed-out and aborted ones excluded). */
  get length(): number {
    return this.live;
  }

  /** Parks the caller until a hand-off, a timeout or an abort. `what` names it in errors. */
  wait(what: string, payload: P, options: WaitOptions = {}): Promise<T> {
    const { signal } = options;
    let timeoutMs: number | undefined;
    try {
      timeoutMs = checkTimeout(options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanUp = () => {
        if (timer) clearTimeout(timer);
        if (signal) this.watches.delete(signal, entry);
      };
      const entry: Parked<T, P> = {
        payload,
        gone: false,
        resolve: (value) => {
          cleanUp();
          resolve(value);
        },
        leave: (error) => {
          if (entry.gone) return;
          entry.gone = true;
          this.live--;
          cleanUp();
          this.compact();
          reject(error);
        },
      };
      if (timeoutMs !== undefined) {
        const ms = timeoutMs;
        timer = setTimeout(() => entry.leave(new WaitTimeoutError(what, ms)), ms);
      }
      if (signal) this.watches.add(signal, entry);
      this.parked.push(entry);
      this.live++;
    });
  }

  /** Removes and returns the oldest live waiter; the caller must then `resolve` it. */
  takeOldest(): Waiter<T, P> | undefined {
    for (let entry = this.parked.shift(); entry; entry = this.parked.shift()) {
      if (entry.gone) continue;
      // Marking it gone now means a timer that fires in the same tick cannot reject it too.
      entry.gone = true;
      this.live--;
      return entry;
    }
    return undefined;
  }

  /** Wakes every live waiter with `value`; returns how many woke. */
  wakeAll(value: T): number {
    let woken = 0;
    for (let waiter = this.takeOldest(); waiter; waiter = this.takeOldest()) {
      waiter.resolve(value);
      woken++;
    }
    return woken;
  }

  /** Entries that timed out stay in the deque until skipped; drop them when they pile up. */
  private compact(): void {
    const dead = this.parked.length - this.live;
    if (dead < 64 || dead < this.live) return;
    const keep = this.parked.drain().filter((entry) => !entry.gone);
    for (const entry of keep) this.parked.push(entry);
  }
}
