/**
 * 3.4.5 A room bus on Redis Streams: each room is an append-only log in Redis, and every process
 * reads it from the last entry it handed to its hub. Pub/sub forgets a line once it has sent it
 * to whoever listens at that moment (at most once); a stream keeps it, so a process whose link
 * to Redis broke for a while reads what it missed when the link is back (at least once).
 *
 *   const bus = await StreamRoomBus.connect('redis://127.0.0.1:6379', { log });
 *   new ChatHub(policy, log, undefined, { bus });
 *
 * Choices, and why:
 *  - One stream per room, written as
 *      XADD chat:stream:lobby MAXLEN ~ 10000 * event <json> from <producer> seq <n>
 *    so a process reads only the rooms it has members in.
 *  - The bound. Without MAXLEN a stream keeps every line for ever, in Redis's memory. With `~`
 *    Redis trims whole internal nodes, which is cheap, and keeps at least the newest `maxLen`
 *    entries. A reader that falls further behind than that (a process cut off for longer than
 *    `maxLen` lines of its room take) loses the oldest lines it had not read. It is not silent:
 *    on resuming, the reader compares the stream's counts (XINFO STREAM) with what it has read
 *    and tells the room how many lines it missed (room-cursor.ts).
 *  - One blocking reader per process: `XREAD BLOCK … STREAMS <keys> <last ids>` on a connection
 *    of its own, because a connection blocked in XREAD answers nothing else until it returns;
 *    publishing goes over the other one. A room subscribed meanwhile wakes the reader with
 *    CLIENT UNBLOCK, so the next XREAD includes it. (If the UNBLOCK overtakes an XREAD still on
 *    its way, the new room waits for that XREAD's BLOCK timeout: late, never lost.)
 *  - Resume from the last id: after a reconnect, XREAD asks again from the ids the reader had
 *    reached, so every entry Redis kept meanwhile is delivered, in order.
 *  - Duplicates: a publish whose connection broke before Redis answered is sent again, and Redis
 *    may have stored it the first time. Each entry carries its producer and a sequence number,
 *    and the reader drops a number it has already passed for that producer in that room.
 *  - Publishing while Redis is away neither waits nor forgets: `publish` puts the line in a
 *    bounded outbox (outbox.ts), sent in order once the link is back. Refusing instead would
 *    lose every line said during an outage — pub/sub's answer, which this bus exists to
 *    improve on. The cap bounds memory in an outage of unknown length; past it lines are
 *    refused, and the rooms are told so, once when it fills and with the count when it is back.
 *  - Notices, as with pub/sub: one to every room when the relay goes, one when it is back.
 *  - Client settings of its own (openClient, below), not ../redis/client.ts's: no command
 *    timeout, as an XREAD waits on purpose and an XADD that timed out may be stored anyway; a
 *    dead link is noticed by its socket instead. Reconnects are at most 500 ms apart.
 *  - What a stream does not survive: Redis losing its memory. The entries live in Redis; one
 *    started like ours (`--save '' --appendonly no`) that restarts comes back empty, and lines
 *    no reader had read yet are gone (the reader says so: 'reset' in room-cursor.ts). With
 *    `appendonly yes` and `appendfsync always` Redis writes each entry to disk before answering.
 */

import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type ChatEvent,
  encodeChatEvent,
  MAX_RELAYED_EVENT_BYTES,
} from '@course/chapter-3.1/chat/messages';
import type { Deliver, RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { createClient, ErrorReply, type RedisClientType } from 'redis';
import { Outbox } from './outbox.ts';
import {
  type Accepted,
  RoomCursor,
  type StreamCounts,
  type StreamEntry,
  streamKey,
} from './room-cursor.ts';

/** What the members of every room here are told, in the words of 3.4.3's pub/sub bus. */
export const RELAY_DOWN =
  'chat relay unavailable, retrying…; lines sent meanwhile wait here and follow when it is back';
export const RELAY_BACK = 'chat relay back; what was said while it was away follows';
export const relayBackWithLoss = (lost: number) =>
  `chat relay back; ${lost} lines sent while it was away did not fit in its backlog and are lost`;
export const backlogFull = (capacity: number, maxBytes: number) =>
  `chat relay backlog full (${capacity} lines or ${Math.floor(maxBytes / 1024)} KiB); lines sent until it is back are lost`;
export const linesTrimmed = (missed: number, maxLen: number) =>
  `missed ${missed} lines of this room: Redis keeps its newest ${maxLen} and this server fell further behind`;
export const HISTORY_LOST =
  "this room's lines in Redis were lost (Redis restarted without keeping its data); lines not read here yet are gone";

/**
 * An event this big is not chat (3.1 caps a line at 2,000 characters): it never reaches Redis,
 * and an entry that carries one is dropped as malformed (room-cursor.ts, parseRelayedEvent).
 */
export const MAX_EVENT_BYTES = MAX_RELAYED_EVENT_BYTES;
/** Entries per XREAD per room, and XADDs sent together: bounds one round trip's memory. */
const BATCH = 100;
/**
 * The smallest length bound: with maxLen >= BATCH, a reader that the bound skipped past has at
 * least BATCH entries after its last one, so its next read comes back full and it checks.
 */
export const MIN_MAX_LEN = BATCH;
/**
 * About an hour of a busy room at 3 lines a second. A short chat line is an entry of about 110
 * bytes (MEMORY USAGE of such a stream), so about 1 MB of Redis's memory per room.
 */
const DEFAULT_MAX_LEN = 10_000;
/**
 * What the outbox may hold while Redis is away, in bytes of events: 10,000 lines of up to 16 KiB
 * each would be 160 MB. A short line is well under 100 bytes of JSON, so for ordinary chat the
 * line cap is reached first.
 */
export const DEFAULT_MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** Reconnect delays grow 50, 100, 200, 400 ms, then stay at this; a real deployment adds jitter. */
const RECONNECT_MAX_MS = 500;
/** Attempts at the first connect before `connect` gives up: a wrong URL must not retry for ever. */
const CONNECT_ATTEMPTS = 3;
/** After an error Redis answered for a read (say, a key of another type), wait this long. */
const READ_RETRY_MS = 1000;

export interface StreamRoomBusOptions {
  log?: (line: string) => void;
  /** Entries each room's stream keeps (MAXLEN ~): default 10,000, at least MIN_MAX_LEN. */
  maxLen?: number;
  /** Lines kept here while Redis is away: default 10,000. */
  maxBacklog?: number;
  /** Bytes of events kept here while Redis is away: default 4 MiB (an event is up to 16 KiB). */
  maxBacklogBytes?: number;
  /** ms one XREAD blocks before it asks again: default 1,000. */
  blockMs?: number;
  /** ms for a connection attempt, and for a command that must answer (XINFO): default 2,000. */
  timeoutMs?: number;
}

type Client = RedisClientType;

/** Counters for tests and the outage measurement. */
export interface StreamBusStats {
  /** Events handed to the hub. */
  relayed: number;
  /** Entries dropped because their producer's number was already passed. */
  duplicates: number;
  /** Entries that were not a chat event (parseRelayedEvent said no). */
  malformed: number;
  /** Entries the length bound removed before this process read them. */
  trimmed: number;
  /** Lines refused because the outbox was full. */
  refused: number;
  /** Times the relay went down. */
  outages: number;
}

export class StreamRoomBus implements RoomBus {
  readonly stats: StreamBusStats = {
    relayed: 0,
    duplicates: 0,
    malformed: 0,
    trimmed: 0,
    refused: 0,
    outages: 0,
  };
  private readonly rooms = new Map<string, RoomCursor>();
  private readonly outbox: Outbox;
  /** Names this bus in its entries; a process that restarts is a new producer. */
  private readonly producer = randomBytes(6).toString('base64url');
  private seq = 0;
  private up = true;
  /** Connected once: failures before that are connect()'s to report, not an outage. */
  private started = false;
  private toldFull = false;
  private pumping = false;
  private readonly drainWaiters = new Set<() => void>();
  /**
   * The reader's CLIENT ID on its current connection, for CLIENT UNBLOCK; forgotten when that
   * connection ends, since a reconnected reader is a new client with a new id.
   */
  private blockedId: number | undefined;
  /** Ends the reader's nap (see nap()). */
  private wake: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private closed: Promise<void> | undefined;
  private reading: Promise<void> = Promise.resolve();
  private readonly maxLen: number;
  private readonly blockMs: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly writer: Client,
    private readonly reader: Client,
    options: StreamRoomBusOptions,
  ) {
    this.log = options.log ?? (() => {});
    this.maxLen = options.maxLen ?? DEFAULT_MAX_LEN;
    this.blockMs = options.blockMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.outbox = new Outbox(
      options.maxBacklog ?? 10_000,
      options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES,
    );
    // Before connecting, and for the client's whole life: node-redis hands out an
    // Object.create() view of its emitter, and removing the view's last listener gives the view
    // an event table of its own, which the client never emits to; an 'error' nobody hears then
    // ends the process.
    for (const client of [writer, reader]) {
      client.on('error', (error: Error) => this.down(error.message));
      client.on('ready', () => this.maybeBack());
    }
    // Forgotten on every error and reconnect, also while no XREAD is in flight: an old id
    // unblocks nobody (or, after a Redis restart, whichever client got that id), and a room
    // subscribed during the next XREAD would wait for its whole BLOCK time.
    reader.on('error', () => {
      this.blockedId = undefined;
    });
    reader.on('ready', () => {
      this.blockedId = undefined;
      this.wake?.();
    });
  }

  /** Connects both clients; rejects, with both closed, if Redis does not answer. */
  static async connect(url: string, options: StreamRoomBusOptions = {}): Promise<StreamRoomBus> {
    const { blockMs = 1000, timeoutMs = 2000, maxLen = DEFAULT_MAX_LEN } = options;
    if (!Number.isSafeInteger(maxLen) || maxLen < MIN_MAX_LEN)
      throw new RangeError(
        `maxLen must be a whole number of at least ${MIN_MAX_LEN}, not ${maxLen}`,
      );
    const writer = openClient(url, timeoutMs);
    // A reader blocked in XREAD sends nothing for up to blockMs; silence well past that means
    // the link died without closing (a cable, not a reset), and the socket timeout ends it.
    const reader = openClient(url, timeoutMs, blockMs + 5000);
    const bus = new StreamRoomBus(writer, reader, options);
    try {
      await Promise.all([writer.connect(), reader.connect()]);
    } catch (error) {
      writer.destroy();
      reader.destroy();
      throw error;
    }
    bus.started = true;
    bus.reading = bus.readLoop();
    return bus;
  }

  /** Starts at the room's newest entry: everything added after this resolves is delivered. */
  async subscribe(room: string, deliver: Deliver): Promise<void> {
    const counts = await this.streamInfo(this.writer, room);
    this.rooms.set(
      room,
      new RoomCursor(deliver, {
        lastId: counts?.lastId ?? '0-0',
        entriesAdded: counts?.entriesAdded ?? 0,
      }),
    );
    this.wakeReader();
  }

  unsubscribe(room: string): void {
    // The reader's next XREAD leaves it out; what the current one still returns is dropped.
    this.rooms.delete(room);
  }

  publish(room: string, event: ChatEvent): void {
    if (this.closed) return;
    const text = encodeChatEvent(event);
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES) {
      this.log(`refused to publish a ${event.type} of ${Buffer.byteLength(text)} bytes to ${room}`);
      return;
    }
    if (!this.outbox.push({ room, event: text, seq: this.seq + 1 })) {
      this.stats.refused++;
      if (!this.toldFull) {
        this.toldFull = true;
        const { capacity, maxBytes } = this.outbox;
        this.log(`outbox full (${capacity} lines or ${maxBytes} bytes): refusing lines`);
        this.tellRooms(backlogFull(capacity, maxBytes));
      }
      return;
    }
    this.seq++;
    this.pump();
  }

  /** Gives lines still in the outbox a moment to reach Redis, then closes both connections. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.drained(this.timeoutMs);
      if (this.outbox.size > 0)
        this.log(`closed with ${this.outbox.size} lines never stored in Redis`);
      this.rooms.clear();
      this.stopping.abort();
      this.wake?.();
      this.writer.destroy();
      this.reader.destroy();
      await this.reading;
    })();
    return this.closed;
  }

  /** Lines published here and not stored in Redis yet. */
  get backlog(): number {
    return this.outbox.size;
  }

  // --- publishing: the outbox, sent in order whenever the writer is connected -------------

  /**
   * Sends the outbox unless it is being sent already. Lines published meanwhile join the same
   * loop, which stops when the outbox is empty or the link is down ('ready' pumps again).
   */
  private pump(): void {
    if (this.pumping) return;
    if (this.outbox.size === 0 || !this.writer.isReady) {
      this.settle();
      return;
    }
    this.pumping = true;
    void this.sendOutbox().finally(() => {
      this.pumping = false;
      this.settle();
    });
  }

  private async sendOutbox(): Promise<void> {
    while (this.outbox.size > 0 && this.writer.isReady) {
      const batch = this.outbox.peek(BATCH);
      // Sent together: node-redis writes the commands of one tick in one go (pipelining).
      const results = await Promise.allSettled(
        batch.map(({ room, event, seq }) =>
          this.writer.xAdd(
            streamKey(room),
            '*',
            { event, from: this.producer, seq: String(seq) },
            { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxLen } },
          ),
        ),
      );
      let done = 0;
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected') {
          // Redis answered no (the key holds something else): sending it again gets the same no.
          if (!(result.reason instanceof ErrorReply)) break; // the link broke: keep it and wait
          const { room } = batch[i] ?? { room: '?' };
          this.log(`Redis refused a line for ${room}: ${result.reason.message}`);
          this.rooms.get(room)?.deliver({
            type: 'notice',
            text: `chat relay refused a line: ${result.reason.message}`,
          });
        }
        done++;
      }
      this.outbox.remove(done);
      if (done < batch.length) return;
    }
  }

  /** Resolves once the outbox is empty or cannot be sent now, or after `ms`. */
  private async drained(ms: number): Promise<void> {
    if (this.outbox.size === 0 || !this.writer.isReady) return;
    let wake: () => void = () => {};
    const settled = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.drainWaiters.add(wake);
    const timer = setTimeout(wake, ms);
    await settled;
    clearTimeout(timer);
    this.drainWaiters.delete(wake);
  }

  private settle(): void {
    if (this.pumping) return;
    for (const wake of this.drainWaiters) wake();
  }

  // --- reading: one XREAD loop over every room of this process ------------------------------

  private async readLoop(): Promise<void> {
    const { signal } = this.stopping;
    let resuming = false;
    while (!signal.aborted) {
      try {
        if (!this.reader.isReady) {
          await this.nap(); // until 'ready' (node-redis reconnects by itself) or close()
          resuming = true;
          continue;
        }
        if (this.rooms.size === 0) {
          await this.nap(); // until a room is subscribed, or close()
          continue;
        }
        if (resuming) {
          await this.checkWhatWasKept([...this.rooms.keys()]);
          resuming = false;
        }
        await this.readOnce();
      } catch (error) {
        this.blockedId = undefined;
        if (signal.aborted) return;
        if (error instanceof ErrorReply) {
          this.log(`Redis refused a read: ${error.message}`);
          await delay(READ_RETRY_MS, undefined, { signal }).catch(() => {});
        } else {
          resuming = true; // the link broke: wait for 'ready', then read on from the same ids
        }
      }
    }
  }

  /** Waits for `wake`: the reader's 'ready', a new room, or close(). The loop then looks again. */
  private async nap(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    this.wake = undefined;
  }

  private async readOnce(): Promise<void> {
    this.blockedId ??= await this.reader.clientId();
    const cursors = [...this.rooms];
    const reply = (await this.reader.xRead(
      cursors.map(([room, cursor]) => ({ key: streamKey(room), id: cursor.lastId })),
      { BLOCK: this.blockMs, COUNT: BATCH },
    )) as { name: string; messages: StreamEntry[] }[] | null;
    const asked = new Map(cursors);
    const batches = (reply ?? []).map(({ name, messages }) => ({
      room: name.slice(streamKey('').length),
      messages,
    }));
    // A full batch means this reader is behind: whether the bound trimmed entries it had not
    // read yet is asked now. (Any such gap comes with a full batch, as maxLen >= BATCH.)
    await this.checkWhatWasKept(
      batches.filter((b) => b.messages.length === BATCH).map((b) => b.room),
    );
    for (const { room, messages } of batches) {
      const cursor = asked.get(room);
      for (const entry of messages) {
        // Checked per entry: a delivery may make the hub unsubscribe (its last member left), and
        // a room subscribed again meanwhile starts later than this read did.
        if (!cursor || this.rooms.get(room) !== cursor) break;
        this.handOver(cursor, cursor.accept(entry));
      }
    }
  }

  private handOver(cursor: RoomCursor, accepted: Accepted): void {
    if (accepted === 'duplicate') this.stats.duplicates++;
    else if (accepted === 'malformed') this.stats.malformed++;
    else {
      this.stats.relayed++;
      cursor.deliver(accepted);
    }
  }

  /**
   * Did Redis keep every entry of `rooms` after this process's last one? Asked after a
   * reconnect and whenever a read comes back full. Exact unless a room takes more than maxLen
   * lines between this question and the next read (one round trip).
   */
  private async checkWhatWasKept(rooms: readonly string[]): Promise<void> {
    if (rooms.length === 0) return;
    const infos = await Promise.all(rooms.map((room) => this.streamInfo(this.reader, room)));
    for (const [i, room] of rooms.entries()) {
      const cursor = this.rooms.get(room);
      if (!cursor) continue; // unsubscribed meanwhile
      const resumed = cursor.resume(infos[i]);
      if (resumed.kind === 'trimmed') {
        this.stats.trimmed += resumed.missed;
        this.log(`${room}: ${resumed.missed} entries trimmed before this process read them`);
        cursor.deliver({ type: 'notice', text: linesTrimmed(resumed.missed, this.maxLen) });
      } else if (resumed.kind === 'reset') {
        this.log(`${room}: the stream counts fewer entries than were read here; Redis lost it`);
        cursor.deliver({ type: 'notice', text: HISTORY_LOST });
      }
    }
  }

  /** XINFO STREAM's counts and newest id; undefined when the stream does not exist yet. */
  private async streamInfo(
    client: Client,
    room: string,
  ): Promise<(StreamCounts & { lastId: string }) | undefined> {
    let info: Record<string, unknown>;
    try {
      info = (await client
        .withCommandOptions({ timeout: this.timeoutMs, rejectInFlight: true })
        .xInfoStream(streamKey(room))) as unknown as Record<string, unknown>;
    } catch (error) {
      if (error instanceof ErrorReply && /no such key/i.test(error.message)) return undefined;
      throw error;
    }
    const lastId = info['last-generated-id'];
    const entriesAdded = Number(info['entries-added']);
    const length = Number(info.length);
    if (typeof lastId !== 'string' || !Number.isSafeInteger(entriesAdded))
      throw new Error(
        `XINFO STREAM ${streamKey(room)} gave no entries-added: Redis 7.0 or later is needed`,
      );
    return { lastId, entriesAdded, length };
  }

  private wakeReader(): void {
    this.wake?.();
    const id = this.blockedId;
    if (id !== undefined && this.writer.isReady) this.writer.clientUnblock(id).catch(() => {});
  }

  // --- the relay's state, told to the rooms -------------------------------------------------

  /** The first failure of an outage: one log line and one notice per room, not one per retry. */
  private down(why: string): void {
    if (!this.up || !this.started || this.closed) return;
    this.up = false;
    this.stats.outages++;
    this.log(`chat relay down: ${why}`);
    this.tellRooms(RELAY_DOWN);
  }

  private maybeBack(): void {
    if (this.up || this.closed || !this.writer.isReady || !this.reader.isReady) return;
    this.up = true;
    this.toldFull = false;
    const lost = this.outbox.takeRefused();
    this.log(`chat relay back${lost > 0 ? `; ${lost} lines did not fit in the outbox` : ''}`);
    this.tellRooms(lost > 0 ? relayBackWithLoss(lost) : RELAY_BACK);
    this.pump();
  }

  private tellRooms(text: string): void {
    for (const cursor of this.rooms.values()) cursor.deliver({ type: 'notice', text });
  }
}

/**
 * A client whose commands fail at once while it is disconnected (no offline queue: the outbox
 * is ours, bounded and visible) and that reconnects for ever once it has connected.
 */
function openClient(url: string, timeoutMs: number, socketTimeoutMs?: number): Client {
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      ...(socketTimeoutMs === undefined ? {} : { socketTimeout: socketTimeoutMs }),
      reconnectStrategy: (retries, cause) => {
        if (!connected) return retries + 1 < CONNECT_ATTEMPTS ? 100 : cause;
        return Math.min(50 * 2 ** Math.min(retries, 4), RECONNECT_MAX_MS);
      },
    },
  }) as Client;
  client.on('ready', () => {
    connected = true;
  });
  return client;
}
