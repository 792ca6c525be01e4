/**
 * A mutex that lives in a SharedArrayBuffer, so every worker thread that receives the buffer
 * shares the same locks.
 *
 * Buffer layout (Int32 slots):
 *   [0]                    how many locks the buffer holds (n)
 *   [1 .. n]               each lock's holder: 0 when free, otherwise the holder's owner id
 *   [n+1 .. n+MAX_OWNERS]  for each owner id, 1 + the lock it is sleeping on (0 = none)
 *
 * Storing the holder (not just "locked") lets unlock() refuse a non-owner. Publishing what
 * each thread waits for builds a wait-for graph in shared memory, so a thread whose wait
 * times out can follow it — "I wait for B, held by worker 2, who waits for A, held by me" —
 * and say exactly which worker holds which lock.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import { LockError, LockTimeoutError, MainThreadBlockError, NotLockOwnerError } from './errors.ts';

export const FREE = 0;
/** Owner ids at or above this are not recorded in the wait-for table (no deadlock report). */
export const MAX_OWNERS = 1024;
/** Compare-exchange attempts before going to sleep: short critical sections end quickly. */
const SPIN_BEFORE_SLEEP = 64;

/** This thread's owner id: worker_threads numbers the main thread 0, and 0 here means free. */
export const MY_OWNER_ID = threadId + 1;

export function describeOwner(id: number): string {
  if (id === FREE) return 'nobody';
  return id === 1 ? 'the main thread' : `worker ${id - 1}`;
}

/** A buffer for `count` locks; send it to workers with postMessage or workerData. */
export function createLockBuffer(count: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer((1 + count + MAX_OWNERS) * Int32Array.BYTES_PER_ELEMENT);
  new Int32Array(buffer)[0] = count;
  return buffer;
}

export interface MutexOptions {
  /** Names for the buffer's locks, by index, for messages: ["fork-1", "fork-2"]. */
  names?: readonly string[];
  /** Who "I" am; defaults to this thread. Tests pass other ids to play several owners. */
  ownerId?: number;
  /** Allow a blocking lock() on the main thread (only for tests and short scripts). */
  allowBlockingMainThread?: boolean;
}

/**
 * Atomics.waitAsync (in Node since 16; typed by TypeScript's ES2024.SharedMemory lib) returns an
 * object, not a promise: `{ async: false, value: 'not-equal' | 'timed-out' }` when it need not
 * wait, or `{ async: true, value: promise }`, the promise settling with 'ok' or 'timed-out'.
 */
export const waitAsync = Atomics.waitAsync;

export class Mutex {
  readonly name: string;
  private readonly cells: Int32Array;
  private readonly count: number;
  private readonly slot: number;
  private readonly me: number;

  constructor(
    buffer: SharedArrayBuffer,
    readonly index = 0,
    private readonly options: MutexOptions = {},
  ) {
    this.cells = new Int32Array(buffer);
    this.count = this.cells[0] ?? 0;
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`lock index ${index} is outside a buffer of ${this.count} locks`);
    this.slot = 1 + index;
    this.name = this.lockName(index);
    this.me = options.ownerId ?? MY_OWNER_ID;
  }

  /** The current holder's id (FREE when unlocked). A snapshot: it may change right after. */
  holder(): number {
    return Atomics.load(this.cells, this.slot);
  }

  /** Takes the lock if it is free, without waiting. */
  tryLock(): boolean {
    const seen = Atomics.compareExchange(this.cells, this.slot, FREE, this.me);
    if (seen === this.me) throw this.reentryError();
    return seen === FREE;
  }

  /**
   * Waits (blocking this thread) until the lock is ours, or throws LockTimeoutError.
   * Refused on the main thread: Atomics.wait there would freeze the event loop — no I/O,
   * timers or messages — for as long as another thread holds the lock. Use lockAsync there.
   */
  lock(timeoutMs = Number.POSITIVE_INFINITY): void {
    if (isMainThread && !this.options.allowBlockingMainThread) {
      throw new MainThreadBlockError(
        `lock "${this.name}": a blocking lock() would freeze the main thread's event loop; use lockAsync()`,
      );
    }
    const deadline = performance.now() + timeoutMs;
    try {
      for (let spin = 0; ; spin++) {
        if (this.tryLock()) return;
        if (spin < SPIN_BEFORE_SLEEP) continue;
        const seen = this.holder();
        if (seen === FREE) continue;
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw this.timeoutError(timeoutMs);
        this.publishWait(true);
        // Sleeps only while the slot still holds `seen`: if the holder unlocked between our
        // compare-exchange and this call, wait returns "not-equal" at once — no lost wake-up.
        Atomics.wait(this.cells, this.slot, seen, remaining);
      }
    } finally {
      this.publishWait(false);
    }
  }

  /** Like lock(), but waits with Atomics.waitAsync: the event loop keeps running meanwhile. */
  async lockAsync(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    try {
      for (;;) {
        if (this.tryLock()) return;
        const seen = this.holder();
        if (seen === FREE) continue;
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw this.timeoutError(timeoutMs);
        this.publishWait(true);
        const result = waitAsync(this.cells, this.slot, seen, remaining);
        if (result.async) await result.value;
      }
    } finally {
      this.publishWait(false);
    }
  }

  /** Releases the lock; only its holder may. Wakes one sleeping waiter. */
  unlock(): void {
    const seen = Atomics.compareExchange(this.cells, this.slot, this.me, FREE);
    if (seen !== this.me) {
      const who = describeOwner(this.me);
      throw new NotLockOwnerError(
        seen === FREE
          ? `${who} cannot unlock "${this.name}": it is not locked`
          : `${who} cannot unlock "${this.name}": it is held by ${describeOwner(seen)}`,
      );
    }
    Atomics.notify(this.cells, this.slot, 1);
  }

  /** Runs `critical` with the lock held, releasing it even when `critical` throws. */
  withLock<T>(critical: () => T, timeoutMs?: number): T {
    this.lock(timeoutMs);
    try {
      return critical();
    } finally {
      this.unlock();
    }
  }

  /** Names of the locks in this buffer that `owner` holds right now. */
  heldBy(owner: number): string[] {
    const names: string[] = [];
    for (let i = 0; i < this.count; i++)
      if (Atomics.load(this.cells, 1 + i) === owner) names.push(this.lockName(i));
    return names;
  }

  /** The name of the lock `owner` is asleep on right now, if any. A snapshot, like holder(). */
  waitingOn(owner: number): string | undefined {
    if (owner <= FREE || owner >= MAX_OWNERS) return undefined;
    const wanted = Atomics.load(this.cells, 1 + this.count + owner);
    return wanted === 0 ? undefined : this.lockName(wanted - 1);
  }

  /**
   * Follows the wait-for graph from this thread: the lock we want → its holder → the lock
   * that holder sleeps on → … Returns the cycle as text if it comes back to us.
   */
  findDeadlock(): string | undefined {
    const links: string[] = [];
    const visited = new Set<number>();
    let owner = this.me;
    let wanted = this.index;
    while (!visited.has(owner)) {
      visited.add(owner);
      const holds =
        this.heldBy(owner)
          .map((n) => `"${n}"`)
          .join(', ') || 'nothing';
      links.push(`${describeOwner(owner)} holds ${holds} and waits for "${this.lockName(wanted)}"`);
      const holder = Atomics.load(this.cells, 1 + wanted);
      if (holder === this.me) return `deadlock: ${links.join('; ')}`;
      const next = holder < MAX_OWNERS ? Atomics.load(this.cells, 1 + this.count + holder) : 0;
      if (holder === FREE || next === 0) return undefined;
      owner = holder;
      wanted = next - 1;
    }
    return undefined;
  }

  private lockName(index: number): string {
    return this.options.names?.[index] ?? `lock ${index}`;
  }

  private publishWait(waiting: boolean): void {
    if (this.me < MAX_OWNERS)
      Atomics.store(this.cells, 1 + this.count + this.me, waiting ? this.index + 1 : 0);
  }

  private reentryError(): LockError {
    return new LockError(
      `${describeOwner(this.me)} already holds "${this.name}"; this mutex is not re-entrant`,
    );
  }

  private timeoutError(timeoutMs: number): LockTimeoutError {
    const holder = this.holder();
    const holds = this.heldBy(this.me);
    const mine = holds.length > 0 ? holds.map((n) => `"${n}"`).join(', ') : 'no lock';
    const deadlock = this.findDeadlock();
    return new LockTimeoutError(
      `${describeOwner(this.me)} gave up on "${this.name}" after ${timeoutMs} ms: ` +
        `held by ${describeOwner(holder)}, while ${describeOwner(this.me)} holds ${mine}` +
        (deadlock ? ` — ${deadlock}` : ''),
      this.name,
      holder,
      this.me,
      holds,
      deadlock,
    );
  }
}
