/**
 * The lines a process has published but Redis has not stored yet, oldest first, up to a cap in
 * lines and one in bytes.
 *
 * While the link to Redis is down, publishing must neither wait (the hub calls `publish` and
 * moves on) nor forget: a line waits here and is sent, in order, when the link is back. An
 * outage has no known length, so the wait is bounded: past `capacity` lines or `maxBytes` bytes
 * of events a new line is refused and counted, and the bus tells its rooms how many were lost.
 * (Lines alone would not bound memory: an event may be 16 KiB.) Refusing the newest keeps what
 * was said first, and keeps the lines that do arrive in the order they were said, with no hole
 * in the middle: once it has refused a line, it refuses every later one too — a shorter one
 * might fit — until it has been emptied or its refusals have been counted (`takeRefused`).
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
  /** Refusing until emptied or counted: a later line must not jump a refused one. */
  private refusing = false;
  /** UTF-8 bytes of the events waiting. */
  private waitingBytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`outbox capacity must be a whole number of at least 1, not ${capacity}`);
    if (maxBytes !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxBytes) || maxBytes < 1))
      throw new RangeError(`outbox maxBytes must be a whole number of at least 1, not ${maxBytes}`);
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  /** UTF-8 bytes of the events waiting. */
  get bytes(): number {
    return this.waitingBytes;
  }

  /**
   * Queues `entry`; false, and counted as refused, when `capacity` lines already wait, when its
   * event would take the waiting bytes past `maxBytes`, or while it is refusing (above).
   */
  push(entry: OutboxEntry): boolean {
    const bytes = Buffer.byteLength(entry.event);
    if (this.refusing || this.size >= this.capacity || this.waitingBytes + bytes > this.maxBytes) {
      this.refused++;
      this.refusing = true;
      return false;
    }
    this.entries.push(entry);
    this.waitingBytes += bytes;
    return true;
  }

  /** The oldest `count` waiting entries, left in place until `remove` says they are stored. */
  peek(count: number): OutboxEntry[] {
    return this.entries.slice(this.head, this.head + count);
  }

  /** Forgets the oldest `count` entries: Redis has them. */
  remove(count: number): void {
    const end = Math.min(this.head + count, this.entries.length);
    for (let i = this.head; i < end; i++)
      this.waitingBytes -= Buffer.byteLength(this.entries[i]?.event ?? '');
    this.head = end;
    if (this.size === 0) this.refusing = false;
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
    this.refusing = false;
    return refused;
  }
}
