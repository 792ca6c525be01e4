/**
 * The one waiting mechanism every structure here builds on: a FIFO of parked callers, each
 * woken at most once — by a hand-off, a timeout or an abort, whichever comes first.
 *
 * Hand-off is the key to fairness: a releaser gives the permit (or item) straight to the
 * oldest waiter instead of putting it back where a newcomer could grab it first.
 */
import { Deque } from './deque.ts';
import { WaitTimeoutError } from './errors.ts';

export interface WaitOptions {
  /** Give up after this many milliseconds with a WaitTimeoutError. */
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
}

export class WaiterList<T, P = undefined> {
  private readonly parked = new Deque<Parked<T, P>>();
  private live = 0;

  /** Callers still waiting (timed-out and aborted ones excluded). */
  get length(): number {
    return this.live;
  }

  /** Parks the caller until a hand-off, a timeout or an abort. `what` names it in errors. */
  wait(what: string, payload: P, options: WaitOptions = {}): Promise<T> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (error: unknown) => {
        if (entry.gone) return;
        entry.gone = true;
        this.live--;
        cleanUp();
        this.compact();
        reject(error);
      };
      const onAbort = () => leave(signal?.reason);
      const cleanUp = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const entry: Parked<T, P> = {
        payload,
        gone: false,
        resolve: (value) => {
          cleanUp();
          resolve(value);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => leave(new WaitTimeoutError(what, timeoutMs)), timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
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
