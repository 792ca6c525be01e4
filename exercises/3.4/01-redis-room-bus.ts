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
// createClient from 'redis' opens a connection:
//   import { createClient } from 'redis';

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

/** The event in `text`, rebuilt from its known fields only; undefined for anything else. */
export function parseRelayedEvent(text: string): ChatEvent | undefined {
  // TODO: JSON.parse inside try/catch. Rebuild a join, leave, message or notice from only the
  //   fields it needs — strings where text belongs, safe integers for `online` — and return
  //   undefined for anything else (a welcome, a wrong type, not JSON at all).
  throw new Error(`TODO: parse a relayed event (${text.length} characters)`);
}

export class RedisRoomBus implements RoomBus {
  static async connect(url: string, options: RedisRoomBusOptions = {}): Promise<RedisRoomBus> {
    // TODO 1 (connections): one client to publish, createClient({ url, disableOfflineQueue: true })
    //   so that a publish fails at once while Redis is away, and another to subscribe. Give each
    //   an 'error' listener: node-redis reconnects by itself, but an 'error' event nobody listens
    //   to crashes the process. Connect both; if that takes longer than options.connectTimeoutMs
    //   (default 5000), destroy() both and reject with a RelayUnavailableError naming the URL.
    throw new Error(`TODO: connect to ${url} (options ${JSON.stringify(options)})`);
  }

  subscribe(room: string, deliver: Deliver): Promise<void> {
    // TODO 2: remember deliver for the room, then subscribe to channelOf(room) and resolve when
    //   Redis has confirmed it. Each message: parseRelayedEvent, then the room's current deliver.
    return Promise.reject(new Error(`TODO: subscribe to room ${room} (${typeof deliver})`));
  }

  unsubscribe(room: string): void {
    // TODO 3: forget the room at once (events Redis sent before it got UNSUBSCRIBE must not be
    //   delivered), then unsubscribe from its channel; catch that promise's failure.
    throw new Error(`TODO: unsubscribe from room ${room}`);
  }

  publish(room: string, event: ChatEvent): void {
    // TODO 4: publish JSON.stringify(event) on channelOf(room) and return without waiting. No
    //   local shortcut: this process gets its own event back from Redis, like every other one.
    //   If the publish fails or takes longer than options.publishTimeoutMs (default 2000), hand
    //   every subscribed room a { type: 'notice', text } saying the relay is unavailable (once,
    //   not once per lost line).
    throw new Error(`TODO: publish a ${event.type} event to room ${room}`);
  }

  close(): Promise<void> {
    // TODO 5: forget every room and close both connections; destroy() a client that is not
    //   ready (close() waits for replies a stopped Redis never sends).
    return Promise.reject(new Error('TODO: close the bus'));
  }
}
