/**
 * One abort listener per signal, shared by everything parked on it (waiters in sync/, tasks
 * in the pool). EventTarget compares each new listener with all the others, so a listener
 * per waiter made 20,000 waits on one signal cost 3–4 s (20,000 pool tasks: 3.4 s, and a
 * MaxListenersExceededWarning); this costs a Set add.
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
