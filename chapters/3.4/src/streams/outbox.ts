/**
 * The lines a process has published but Redis has not stored yet, oldest first, up to a cap.
 *
 * While the link to Redis is down, publishing must neither wait (the hub calls `publish` and
 * moves on) nor forget: a line waits here and is sent, in order, when the link is back. An
 * outage has no known length, so the wait is bounded: past `capacity` a new line is refused and
 * counted, and the bus tells its rooms how many were lost. Refusing the newest keeps what was
 * said first, and keeps the lines that do arrive in the order they were said, with no hole in
 * the middle.
 */

export interface OutboxEntry {
  readonly room: string;
  /** The event as JSON, what the stream entry carries. */
  readonly event: string;
  /** This producer's sequence number: the readers drop a number they have already passed. */
  readonly seq: number;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  /** Index of the oldest entry still waiting: taking from the front is O(1). */
  private head = 0;
  /** Lines refused since `takeRefused()` last reset the count. */
  private refused = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`outbox capacity must be a whole number of at least 1, not ${capacity}`);
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  /** Queues `entry`; false, and counted as refused, when `capacity` lines already wait. */
  push(entry: OutboxEntry): boolean {
    if (this.size >= this.capacity) {
      this.refused++;
      return false;
    }
    this.entries.push(entry);
    return true;
  }

  /** The oldest `count` waiting entries, left in place until `remove` says they are stored. */
  peek(count: number): OutboxEntry[] {
    return this.entries.slice(this.head, this.head + count);
  }

  /** Forgets the oldest `count` entries: Redis has them. */
  remove(count: number): void {
    this.head = Math.min(this.head + count, this.entries.length);
    // Compact once the dead front is as long as what is left, so memory follows `size`.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** How many lines were refused since the last call; resets the count. */
  takeRefused(): number {
    const refused = this.refused;
    this.refused = 0;
    return refused;
  }
}
