/**
 * One abort listener per signal, shared by everything parked on it (waiters in sync/, tasks
 * in the pool). EventTarget compares each new listener with all the others, so a listener
 * per waiter would make N waits on one signal quadratic in N (and past 10 listeners Node
 * prints a MaxListenersExceededWarning); sharing one costs a Set add. Tests: "waits that
 * share one signal add one abort listener between them" (sync.test.ts) and "tasks sharing
 * one signal add one abort listener, not one per task" (pool-hostile-input.test.ts).
 */
export class AbortWatches<T> {
  private readonly watches = new Map<AbortSignal, { entries: Set<T>; onAbort: () => void }>();

  /** `aborted` gets every entry still watched when a signal fires, and the signal's reason. */
  constructor(private readonly aborted: (entries: ReadonlySet<T>, reason: unknown) => void) {}

  add(signal: AbortSignal, entry: T): void {
    let watch = this.watches.get(signal);
    if (!watch) {
      const entries = new Set<T>();
      const onAbort = () => {
        // Forgotten first: entries that leave while being handled find nothing to remove.
        this.watches.delete(signal);
        this.aborted(entries, signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      watch = { entries, onAbort };
      this.watches.set(signal, watch);
    }
    watch.entries.add(entry);
  }

  /** Stops watching `entry`; the signal's listener goes with its last entry. */
  delete(signal: AbortSignal, entry: T): void {
    const watch = this.watches.get(signal);
    if (!watch?.entries.delete(entry) || watch.entries.size > 0) return;
    signal.removeEventListener('abort', watch.onAbort);
    this.watches.delete(signal);
  }
}
