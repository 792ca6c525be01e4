/**
 * What anyone who can write to the chat's Redis can send to its members: payloads published
 * or appended by a separate Redis client, straight onto a room's channel or stream, and what
 * each bus lets through to a member — a 20 MB line, control characters in a name and a line,
 * a negative headcount, a line longer than a client may send. Both buses, a real redis-server,
 * stopped and checked gone by pid.
 */
import { ChatHub } from '@course/chapter-3.1/chat/hub';
import type { ChatEvent } from '@course/chapter-3.1/chat/messages';
import type { RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until } from '@course/course-kit/testing/waits';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisRoomBus, roomChannel } from '../src/chat/redis-room-bus.ts';
import { streamKey } from '../src/streams/room-cursor.ts';
import { StreamRoomBus } from '../src/streams/stream-room-bus.ts';
import { FakePeer } from './fake-peer.ts';

const ROOM = 'hostile';
const json = (event: Record<string, unknown>) => JSON.stringify(event);

/** In this order; the last is the fence: once it has arrived, every one before it has too. */
const PAYLOADS = [
  json({ type: 'message', nick: 'mallory', text: 'y'.repeat(20 * 1024 * 1024) }),
  json({ type: 'message', nick: '\u001b[2J<admin>\n', text: 'hi' }),
  json({ type: 'message', nick: 'mallory', text: '\u001b]0;pwned\u0007line1\r\nline2' }),
  json({ type: 'join', nick: 'ghost', online: -5 }),
  json({ type: 'message', nick: 'mallory', text: 'z'.repeat(2001) }),
  json({ type: 'notice', text: '\u0000\u001b' }),
  json({ type: 'leave', nick: 'sam#2', online: 1, reason: 'left\u0000' }),
  json({ type: 'message', nick: 'fence', text: 'last' }),
];

/** What a member may see of PAYLOADS: rebuilt, cleaned, and nothing else. */
const DELIVERED: ChatEvent[] = [
  { type: 'message', nick: 'mallory', text: ']0;pwned line1 line2' },
  { type: 'leave', nick: 'sam#2', online: 1, reason: 'left' },
  { type: 'message', nick: 'fence', text: 'last' },
];

describe.runIf(shouldRunRedisTests())('hostile events written straight to Redis', () => {
  let redis: RedisServer;
  let intruder: RedisClientType;
  const buses: RoomBus[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    intruder = createClient({ url: redis.url }) as RedisClientType;
    intruder.on('error', () => {});
    await intruder.connect();
  });

  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  afterAll(async () => {
    intruder?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  async function member(bus: RoomBus) {
    buses.push(bus);
    const hub = new ChatHub({}, () => {}, undefined, { bus });
    const peer = new FakePeer();
    if (!(await hub.join(peer, { nick: 'reader', room: ROOM }))) throw new Error('refused');
    return peer;
  }

  const arrived = (peer: FakePeer) => peer.sent.filter((e) => e.type !== 'welcome');

  it('pub/sub hands a member only what a chat server could have published, cleaned', async () => {
    const lines: string[] = [];
    const peer = await member(await RedisRoomBus.connect(redis.url, { log: (l) => lines.push(l) }));
    for (const payload of PAYLOADS) await intruder.publish(roomChannel(ROOM), payload);
    await until(() => peer.messages().includes('last'), 20_000, 'the fence line');
    expect(arrived(peer)).toEqual(DELIVERED);
    expect(lines[0]).toMatch(
      /^dropped an event of 209\d{5} bytes on chat:room:hostile: over 16384$/,
    );
  });

  it('Streams hands a member only what a chat server could have appended, cleaned', async () => {
    const bus = await StreamRoomBus.connect(redis.url, { blockMs: 500 });
    const peer = await member(bus);
    for (const payload of PAYLOADS) await intruder.xAdd(streamKey(ROOM), '*', { event: payload });
    await until(() => peer.messages().includes('last'), 20_000, 'the fence line');
    expect(arrived(peer)).toEqual(DELIVERED);
    expect(bus.stats.malformed).toBe(PAYLOADS.length - DELIVERED.length);
  });
});
