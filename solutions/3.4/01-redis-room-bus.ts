/**
 * 3.4/01 — A RoomBus over Redis pub/sub.
 *
 * When several processes serve one chat, each process's hub publishes a room's events to a bus
 * and sends its members only what the bus hands back. Build that bus on Redis pub/sub, one
 * channel per room (`channelOf(room)`): every process subscribed to a room gets each of its
 * events — its own included — once, in the order Redis received them. A connection that has
 * subscribed can do nothing but (un)subscribe, so publishing needs a connection of its own.
 * `publish` returns at once and never throws: when Redis cannot take an event, the bus tells
 * the rooms it serves with a `notice`. What arrives from Redis comes from outside this process:
 * rebuild a chat event from its known fields, and drop anything else.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.4/01)
 */
import { createClient } from 'redis';

/** What travels between processes (3.1's chat events, less the ones sent to one client only). */
export type ChatEvent =
  | { type: 'join'; nick: string; online: number }
  | { type: 'leave'; nick: string; online: number; reason: string }
  | { type: 'message'; nick: string; text: string }
  | { type: 'notice'; text: string };

/** Hands one event of a room to the hub, which sends it to that room's members here. */
export type Deliver = (event: ChatEvent) => void;

/** The hub's fan-out seam, as chapter 3.1 defines it. */
export interface RoomBus {
  /** Hands `room`'s events to `deliver`; once it resolves, no event published later is missed. */
  subscribe(room: string, deliver: Deliver): Promise<void>;
  /** This process's last member of `room` has left: stop handing its events over. */
  unsubscribe(room: string): void;
  /** Sends `event` to every subscriber of `room`, this process included. Never throws. */
  publish(room: string, event: ChatEvent): void;
  /** Stops for good, and closes every connection it opened. */
  close(): Promise<void>;
}

export interface RedisRoomBusOptions {
  /** How long connect() tries to reach Redis before it gives up (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long a publish may wait for Redis before it counts as failed (default 2000 ms). */
  publishTimeoutMs?: number;
}

/** Redis could not be reached when the bus started: the message names the URL. */
export class RelayUnavailableError extends Error {
  override name = 'RelayUnavailableError';
}

export const CHANNEL_PREFIX = 'chat:room:';

/** The channel that carries one room's events. */
export function channelOf(room: string): string {
  return `${CHANNEL_PREFIX}${room}`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => Number.isSafeInteger(value);

/** The event in `text`, rebuilt from its known fields only; undefined for anything else. */
export function parseRelayedEvent(text: string): ChatEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, nick, online, reason, text: line } = value as Record<string, unknown>;
  if (type === 'join' && isString(nick) && isCount(online)) return { type, nick, online };
  if (type === 'leave' && isString(nick) && isCount(online) && isString(reason))
    return { type, nick, online, reason };
  if (type === 'message' && isString(nick) && isString(line)) return { type, nick, text: line };
  if (type === 'notice' && isString(line)) return { type, text: line };
  return undefined;
}

/** A connection; with the offline queue off, a command while Redis is away fails at once. */
function connection(url: string, offlineQueue: boolean) {
  return createClient({ url, disableOfflineQueue: !offlineQueue });
}
type Client = ReturnType<typeof connection>;

/** Rejects after `ms` unless `promise` settles first; the timer never outlives the race. */
function withDeadline<T>(promise: Promise<T>, ms: number, why: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(why()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class RedisRoomBus implements RoomBus {
  private readonly rooms = new Map<string, Deliver>();
  /** Rooms whose SUBSCRIBE Redis has not confirmed yet, and the promise of that confirmation. */
  private readonly pending = new Map<string, Promise<void>>();
  private relayDown = false;
  private closed = false;

  private constructor(
    private readonly publisher: Client,
    private readonly subscriber: Client,
    private readonly publishTimeoutMs: number,
  ) {}

  static async connect(url: string, options: RedisRoomBusOptions = {}): Promise<RedisRoomBus> {
    // Offline queue off: a publish while Redis is away fails at once instead of piling up
    // lines to replay, stale, when it comes back.
    const publisher = connection(url, false);
    // The subscriber keeps its queue: a subscribe made during a reconnect completes after it,
    // and node-redis subscribes again to every channel once it has reconnected.
    const subscriber = connection(url, true);
    // node-redis reconnects by itself; without a listener an 'error' event would crash the
    // process. A failed publish is reported to the rooms instead.
    for (const client of [publisher, subscriber]) client.on('error', () => {});
    const timeout = options.connectTimeoutMs ?? 5000;
    try {
      await withDeadline(
        Promise.all([publisher.connect(), subscriber.connect()]),
        timeout,
        () => new RelayUnavailableError(`could not reach Redis at ${url} within ${timeout} ms`),
      );
    } catch (error) {
      for (const client of [publisher, subscriber]) if (client.isOpen) client.destroy();
      throw error;
    }
    return new RedisRoomBus(publisher, subscriber, options.publishTimeoutMs ?? 2000);
  }

  subscribe(room: string, deliver: Deliver): Promise<void> {
    const already = this.rooms.has(room);
    this.rooms.set(room, deliver);
    // A second call while Redis has not confirmed the first waits for that same confirmation.
    if (already) return this.pending.get(room) ?? Promise.resolve();
    // Resolves when Redis has confirmed the subscription: from then on nothing is missed.
    const confirmed: Promise<void> = this.subscriber
      .subscribe(channelOf(room), (text) => this.receive(room, text))
      .then(
        () => {
          if (this.pending.get(room) === confirmed) this.pending.delete(room);
        },
        (error: unknown) => {
          if (this.pending.get(room) === confirmed) {
            this.pending.delete(room);
            this.rooms.delete(room);
          }
          throw error;
        },
      );
    this.pending.set(room, confirmed);
    return confirmed;
  }

  unsubscribe(room: string): void {
    // Forget the room first: Redis may have sent more of its events before it got UNSUBSCRIBE.
    if (!this.rooms.delete(room)) return;
    this.subscriber.unsubscribe(channelOf(room)).catch(() => {
      // offline: the subscription ended with the connection
    });
  }

  publish(room: string, event: ChatEvent): void {
    if (this.closed) return;
    const sent = withDeadline(
      this.publisher.publish(channelOf(room), JSON.stringify(event)),
      this.publishTimeoutMs,
      () => new Error(`no answer from Redis within ${this.publishTimeoutMs} ms`),
    );
    sent.then(
      () => this.relayIs(true),
      () => this.relayIs(false),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rooms.clear();
    // close() lets replies still owed arrive; with Redis gone it would wait for ever: destroy.
    await Promise.allSettled(
      [this.publisher, this.subscriber].map((client) =>
        client.isReady ? client.close() : client.isOpen ? client.destroy() : undefined,
      ),
    );
  }

  private receive(room: string, text: string): void {
    const deliver = this.rooms.get(room);
    const event = parseRelayedEvent(text);
    if (deliver && event) deliver(event);
  }

  /** One notice when the relay goes down and one when it is back, not one per lost line. */
  private relayIs(up: boolean): void {
    if (this.closed || up !== this.relayDown) return;
    this.relayDown = !up;
    const text = up
      ? 'chat relay back: lines reach the other servers again'
      : 'chat relay unavailable: lines sent now reach no one';
    for (const deliver of this.rooms.values()) deliver({ type: 'notice', text });
  }
}
