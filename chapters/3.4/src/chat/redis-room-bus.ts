/**
 * 3.4.3 A room bus on Redis pub/sub: every worker publishes its rooms' events to Redis and hands
 * its own members what Redis sends back. The one new file behind chapter 3.1's RoomBus seam.
 *
 * Choices, and why:
 *  - One channel per room (`chat:room:<room>`). Redis then sends a worker only the rooms it has
 *    members in; with one channel for all rooms every worker would receive every line of every
 *    room and throw most of it away. The price is a SUBSCRIBE when a room's first member arrives.
 *  - Deliver only what comes back from Redis, own events included: no local shortcut, so no
 *    echo to filter by worker id. Every member of a room, on any worker, sees its events in one
 *    order (the order Redis received them), and a line that could not reach Redis reaches nobody,
 *    its sender included. The price: a member sees its own line one round trip later.
 *  - Two connections, one for SUBSCRIBE and one for PUBLISH: under RESP2 a connection that has
 *    subscribed may only (un)subscribe and ping. (node-redis speaks RESP3 by default, which lifts
 *    that; two connections work under either, e.g. behind a proxy that speaks only RESP2.)
 *  - Outages: the offline queue is off, so a PUBLISH while Redis is away fails at once instead
 *    of piling up in memory, and a command timeout bounds one that Redis never answers. The
 *    rooms here get one notice when the relay goes and one when it is back; node-redis
 *    reconnects and subscribes to every channel again before it says 'ready'.
 */
import {
  type ChatEvent,
  encodeChatEvent,
  MAX_RELAYED_EVENT_BYTES,
  parseRelayedEvent,
} from '@course/chapter-3.1/chat/messages';
import type { Deliver, RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { type ThrottledLog, throttleLog } from '@course/chapter-3.1/log-throttle';
import { connectRedis, createRedisClient, type RedisClient, withTimeout } from '../redis/client.ts';

/** What the members of every room here are told, in 3.1's words: lowercase, what and what now. */
export const RELAY_DOWN = 'chat relay unavailable, retrying…; lines sent until it is back are lost';
export const RELAY_BACK = 'chat relay back; lines sent while it was away were not delivered';

/**
 * An event this big is not chat (3.1 caps a line at 2,000 characters): it is never published,
 * and one that arrives is dropped (anyone who can PUBLISH to this Redis can send one).
 */
export const MAX_EVENT_BYTES = MAX_RELAYED_EVENT_BYTES;

export const roomChannel = (room: string) => `chat:room:${room}`;

export interface RedisRoomBusOptions {
  log?: (line: string) => void;
  /** ms a command may wait for Redis before it fails (default 2 s). */
  commandTimeoutMs?: number;
}

export class RedisRoomBus implements RoomBus {
  private readonly rooms = new Map<
    string,
    { deliver: Deliver; listener: (text: string) => void }
  >();
  private up = true;
  /** Anyone who can PUBLISH to this Redis can send us junk: one line a second about it. */
  private readonly logDropped: ThrottledLog;

  private constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly log: (line: string) => void,
    private readonly timeoutMs: number,
  ) {
    this.logDropped = throttleLog(log);
    for (const client of [publisher, subscriber]) {
      client.on('error', (error: Error) => this.down(error.message));
      client.on('ready', () => this.maybeBack());
    }
  }

  /**
   * Connects both clients; rejects, with both closed, if Redis does not answer in time. Both
   * attempts are waited for: one can connect while the other fails (a Redis at its maxclients
   * takes one more connection, not two), and the one that connected must not stay open.
   */
  static async connect(url: string, options: RedisRoomBusOptions = {}): Promise<RedisRoomBus> {
    const { log = () => {}, commandTimeoutMs = 2000 } = options;
    const client = createRedisClient(url, commandTimeoutMs);
    const [publisher, subscriber] = await Promise.allSettled([
      connectRedis(client, url, commandTimeoutMs),
      connectRedis(client.duplicate(), url, commandTimeoutMs),
    ]);
    if (publisher.status === 'fulfilled' && subscriber.status === 'fulfilled')
      return new RedisRoomBus(publisher.value, subscriber.value, log, commandTimeoutMs);
    let failure: unknown;
    for (const each of [publisher, subscriber]) {
      if (each.status === 'fulfilled') each.value.destroy();
      else failure ??= each.reason;
    }
    throw failure;
  }

  async subscribe(room: string, deliver: Deliver): Promise<void> {
    const listener = (text: string) => {
      if (text.length > MAX_EVENT_BYTES || Buffer.byteLength(text) > MAX_EVENT_BYTES) {
        const bytes = Buffer.byteLength(text);
        this.logDropped(
          `dropped an event of ${bytes} bytes on ${roomChannel(room)}: over ${MAX_EVENT_BYTES}`,
        );
        return;
      }
      const event = parseRelayedEvent(text);
      if (event === undefined) {
        this.logDropped(`dropped a malformed event on ${roomChannel(room)}: ${text.slice(0, 80)}`);
        return;
      }
      deliver(event);
    };
    this.rooms.set(room, { deliver, listener });
    try {
      await withTimeout(this.subscriber.subscribe(roomChannel(room), listener), this.timeoutMs);
    } catch (error) {
      this.unsubscribe(room);
      throw error;
    }
  }

  unsubscribe(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.rooms.delete(room);
    this.subscriber.unsubscribe(roomChannel(room), entry.listener).catch((error: Error) => {
      this.log(`could not unsubscribe from ${roomChannel(room)}: ${error.message}`);
    });
  }

  publish(room: string, event: ChatEvent): void {
    const text = encodeChatEvent(event);
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES) {
      this.log(`refused to publish a ${event.type} of ${Buffer.byteLength(text)} bytes to ${room}`);
      return;
    }
    this.publisher.publish(roomChannel(room), text).then(
      () => this.maybeBack(), // a timeout marked it down without a reconnect to say it is back
      (error: Error) => this.down(error.message),
    );
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.logDropped.flush();
    await Promise.allSettled([this.subscriber, this.publisher].map((c) => closeClient(c)));
  }

  /** The first failure of an outage: one log line and one notice per room, not one per retry. */
  private down(why: string): void {
    if (!this.up) return;
    this.up = false;
    this.log(`chat relay down: ${why}`);
    this.tellRooms(RELAY_DOWN);
  }

  private maybeBack(): void {
    if (this.up || !this.publisher.isReady || !this.subscriber.isReady) return;
    this.up = true;
    this.log('chat relay back');
    this.tellRooms(RELAY_BACK);
  }

  private tellRooms(text: string): void {
    for (const { deliver } of this.rooms.values()) deliver({ type: 'notice', text });
  }
}

/** Waits for pending commands (close), but not for ever: then drops the connection (destroy). */
async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  await withTimeout(client.close(), 2000).catch(() => client.destroy());
}
