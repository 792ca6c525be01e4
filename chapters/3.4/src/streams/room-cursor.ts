/**
 * One process's place in one room's stream: the id of the last entry it handed to the hub, how
 * many entries the stream had received up to it, and the last sequence number seen from each
 * producer. No I/O here: the bus reads entries and stream counts from Redis and asks the cursor
 * what to do with them, so every rule below is tested without a server.
 *
 * An entry is three fields: `event` (a ChatEvent as JSON), `from` (the producing bus) and `seq`
 * (that producer's number for it, rising by one per line it publishes).
 */
import { type ChatEvent, parseRelayedEvent } from '@course/chapter-3.1/chat/messages';
import type { Deliver } from '@course/chapter-3.1/chat/room-bus';

export const streamKey = (room: string) => `chat:stream:${room}`;

/** One stream entry as node-redis returns it from XREAD. */
export interface StreamEntry {
  readonly id: string;
  readonly message: Record<string, string>;
}

/** XINFO STREAM's counts: entries ever added (Redis 7.0+) and entries kept now. */
export interface StreamCounts {
  readonly entriesAdded: number;
  readonly length: number;
}

/** What the cursor found when its process came back to a stream after a while away. */
export type Resumed =
  /** Every entry after `lastId` is still there: reading on loses nothing. */
  | { readonly kind: 'whole' }
  /** The length bound removed `missed` entries this process had not read yet. */
  | { readonly kind: 'trimmed'; readonly missed: number }
  /**
   * The stream counts fewer entries than this process has read: Redis lost it (a restart
   * without persistence, or a DEL).
   */
  | { readonly kind: 'reset' };

/** What one entry is to the hub. */
export type Accepted = ChatEvent | 'duplicate' | 'malformed';

/**
 * Producers remembered per room, for dropping duplicates. A process that restarts is a new
 * producer, so the map would grow with every restart: past this many, the producer heard from
 * least recently is forgotten (its late duplicates, if any, would then pass).
 */
export const MAX_PRODUCERS = 1024;

const SEQ = /^[1-9][0-9]{0,15}$/;

export class RoomCursor {
  /** XREAD asks for the entries after this id; '0-0' is before any entry. */
  lastId: string;
  /** Entries the stream had received up to and including `lastId` (its ordinal). */
  private ordinal: number;
  private readonly lastSeq = new Map<string, number>();

  /**
   * Starts at the stream's end as XINFO STREAM described it (`last-generated-id`,
   * `entries-added`), or at '0-0' for a stream that does not exist yet: whatever is added after
   * that is handed over.
   */
  constructor(
    readonly deliver: Deliver,
    start: { lastId: string; entriesAdded: number } = { lastId: '0-0', entriesAdded: 0 },
  ) {
    this.lastId = start.lastId;
    this.ordinal = start.entriesAdded;
  }

  /** Moves past `entry` and says what it carries for the hub. */
  accept(entry: StreamEntry): Accepted {
    this.lastId = entry.id;
    this.ordinal++;
    const { event: text, from, seq: seqText } = entry.message;
    // parseRelayedEvent drops an event over 16 KiB, a forged name or headcount, and cleans text.
    const event = text === undefined ? undefined : parseRelayedEvent(text);
    if (event === undefined) return 'malformed';
    // An entry written by hand (no producer or number) is delivered as it is: nothing to compare.
    if (from === undefined || seqText === undefined || !SEQ.test(seqText)) return event;
    const seq = Number(seqText);
    const last = this.lastSeq.get(from);
    if (last !== undefined && seq <= last) return 'duplicate';
    this.lastSeq.delete(from); // re-inserted at the end: the Map's order is least recent first
    this.lastSeq.set(from, seq);
    if (this.lastSeq.size > MAX_PRODUCERS) {
      const oldest = this.lastSeq.keys().next().value;
      if (oldest !== undefined) this.lastSeq.delete(oldest);
    }
    return event;
  }

  /**
   * Compares what this process has read with what the stream holds now (`undefined`: no such
   * key). The stream keeps its entries `entriesAdded - length + 1 … entriesAdded`, oldest
   * trimmed first; this process has read up to `ordinal`. Assumes nobody deletes entries
   * from the middle (XDEL), which this course never does.
   */
  resume(counts: StreamCounts | undefined): Resumed {
    const { entriesAdded, length } = counts ?? { entriesAdded: 0, length: 0 };
    if (entriesAdded < this.ordinal) {
      // Whatever the stream holds now came after the loss, and after `lastId` (ids follow the
      // clock), so XREAD from `lastId` reads all of it: count it as not read yet.
      this.ordinal = entriesAdded - length;
      return { kind: 'reset' };
    }
    const missed = entriesAdded - length - this.ordinal;
    if (missed <= 0) return { kind: 'whole' };
    this.ordinal += missed;
    return { kind: 'trimmed', missed };
  }
}
