/**
 * The Streams room bus against a real redis-server, with the link of one bus cut by a relay
 * (src/outage/link.ts) while Redis keeps running, and with Redis itself killed (SIGKILL) and
 * restarted on its append-only file, pub/sub beside it. Every wait is on state — lines received,
 * notices, the outbox, PUBSUB NUMSUB — never on a sleep; every assertion names lines exactly.
 */
import type { ChatEvent } from '@course/chapter-3.1/chat/messages';
import type { RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until } from '@course/course-kit/testing/waits';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisRoomBus, roomChannel } from '../src/chat/redis-room-bus.ts';
import { type Link, openLink } from '../src/outage/link.ts';
import { streamKey } from '../src/streams/room-cursor.ts';
import {
  backlogFull,
  DEFAULT_MAX_BACKLOG_BYTES,
  HISTORY_LOST,
  linesTrimmed,
  RELAY_BACK,
  RELAY_DOWN,
  relayBackWithLoss,
  StreamRoomBus,
  type StreamRoomBusOptions,
} from '../src/streams/stream-room-bus.ts';
import { untilAnswer } from './until-answer.ts';

const WAIT_MS = 15_000;

/** What one bus handed its hub for one room, in order. */
function collector() {
  const events: ChatEvent[] = [];
  const lines = () => events.flatMap((e) => (e.type === 'message' ? [e.text] : []));
  const notices = () => events.flatMap((e) => (e.type === 'notice' ? [e.text] : []));
  return { events, lines, notices, deliver: (event: ChatEvent) => void events.push(event) };
}

const say = (bus: RoomBus, room: string, texts: readonly string[], nick = 'ann') => {
  for (const text of texts) bus.publish(room, { type: 'message', nick, text });
};

const numbered = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

describe.runIf(shouldRunRedisTests())('the Streams room bus on a real Redis', () => {
  let redis: RedisServer;
  let admin: RedisClientType;
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = createClient({ url: redis.url }) as RedisClientType;
    admin.on('error', () => {});
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((thing) => thing.close()));
    await admin.flushAll();
  });

  afterAll(async () => {
    admin?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid} still running`).toBe(false);
  });

  const streamBus = async (url: string, options: StreamRoomBusOptions = {}) => {
    const bus = await StreamRoomBus.connect(url, { blockMs: 500, ...options });
    open.push(bus);
    return bus;
  };
  const link = async (): Promise<Link> => {
    const opened = await openLink({ host: redis.host, port: redis.port });
    open.push(opened);
    return opened;
  };

  it("delivers a room's events in one order to every bus, the publisher's own included", async () => {
    const [a, b] = [await streamBus(redis.url), await streamBus(redis.url)];
    const [atA, atB] = [collector(), collector()];
    await a.subscribe('lobby', atA.deliver);
    await b.subscribe('lobby', atB.deliver);
    const [fromA, fromB] = [numbered('a', 60), numbered('b', 60)];
    for (let i = 0; i < 60; i++) {
      say(a, 'lobby', [fromA[i] ?? '']);
      say(b, 'lobby', [fromB[i] ?? ''], 'bob');
    }
    await until(
      () => atA.lines().length === 120 && atB.lines().length === 120,
      WAIT_MS,
      '120 lines at both buses',
    );
    expect(atB.lines()).toEqual(atA.lines());
    expect(atA.lines().filter((t) => t.startsWith('a '))).toEqual(fromA);
    expect(atA.lines().filter((t) => t.startsWith('b '))).toEqual(fromB);
    expect(await admin.xLen(streamKey('lobby'))).toBe(120);
  });

  it('resumes from the last id after its link is cut: every line published meanwhile, once, in order', async () => {
    const cutOff = await link();
    const [a, b] = [await streamBus(redis.url), await streamBus(cutOff.url)];
    const [atA, atB] = [collector(), collector()];
    await a.subscribe('lobby', atA.deliver);
    await b.subscribe('lobby', atB.deliver);
    const before = numbered('before', 5);
    say(a, 'lobby', before);
    await until(() => atB.lines().length === 5, WAIT_MS, 'the first 5 lines at b');

    expect(cutOff.cut()).toBe(2); // b's writer and reader
    await until(() => atB.notices().includes(RELAY_DOWN), WAIT_MS, "b's relay-down notice");
    const during = numbered('during', 100);
    say(a, 'lobby', during);
    // a reads its own lines back from the stream: Redis has all 100 while b cannot reach it.
    await until(() => atA.lines().length === 105, WAIT_MS, 'a to read its 100 lines back');
    expect(atB.lines()).toEqual(before);

    cutOff.restore();
    await until(() => atB.lines().length >= 105, WAIT_MS, 'b to catch up on 100 lines');
    expect(atB.lines()).toEqual([...before, ...during]);
    await until(() => atB.notices().includes(RELAY_BACK), WAIT_MS, "b's relay-back notice");
    expect(atB.notices()).toEqual([RELAY_DOWN, RELAY_BACK]);
    expect(b.stats.trimmed).toBe(0);
  });

  it('publishing while its own link is cut neither throws nor waits; the lines follow, in order, once it is back', async () => {
    const cutOff = await link();
    const [a, b] = [await streamBus(redis.url), await streamBus(cutOff.url)];
    const [atA, atB] = [collector(), collector()];
    await a.subscribe('lobby', atA.deliver);
    await b.subscribe('lobby', atB.deliver);
    cutOff.cut();
    await until(() => atB.notices().includes(RELAY_DOWN), WAIT_MS, "b's relay-down notice");

    const held = numbered('held', 50);
    expect(() => say(b, 'lobby', held, 'bob')).not.toThrow(); // returns at once: a plain loop
    expect(b.backlog).toBe(50);
    expect(await admin.xLen(streamKey('lobby'))).toBe(0); // nothing reached Redis

    cutOff.restore();
    await until(() => atA.lines().length === 50, WAIT_MS, "a to receive b's 50 held lines");
    expect(atA.lines()).toEqual(held);
    await until(() => atB.lines().length === 50, WAIT_MS, 'b to read its own 50 lines back');
    expect(atB.lines()).toEqual(held);
    expect(b.backlog).toBe(0);
  });

  it('a full outbox refuses the newest lines, says so at once, and counts them when the relay is back', async () => {
    const cutOff = await link();
    const [a, b] = [await streamBus(redis.url), await streamBus(cutOff.url, { maxBacklog: 3 })];
    const [atA, atB] = [collector(), collector()];
    await a.subscribe('lobby', atA.deliver);
    await b.subscribe('lobby', atB.deliver);
    cutOff.cut();
    await until(() => atB.notices().includes(RELAY_DOWN), WAIT_MS, "b's relay-down notice");

    say(b, 'lobby', numbered('line', 5), 'bob');
    expect(b.backlog).toBe(3);
    expect(b.stats.refused).toBe(2);
    expect(atB.notices()).toEqual([RELAY_DOWN, backlogFull(3, DEFAULT_MAX_BACKLOG_BYTES)]);

    cutOff.restore();
    await until(() => atA.lines().length === 3, WAIT_MS, "a to receive b's 3 kept lines");
    expect(atA.lines()).toEqual(['line 1', 'line 2', 'line 3']);
    await until(() => atB.notices().length === 3, WAIT_MS, "b's relay-back notice");
    expect(atB.notices()).toEqual([
      RELAY_DOWN,
      backlogFull(3, DEFAULT_MAX_BACKLOG_BYTES),
      relayBackWithLoss(2),
    ]);
  });

  it('a reader that fell further behind than the length bound is told exactly how many lines it missed', async () => {
    const cutOff = await link();
    // The publisher trims (XADD … MAXLEN ~ 100): Redis drops whole nodes of 100 entries.
    const a = await streamBus(redis.url, { maxLen: 100 });
    const b = await streamBus(cutOff.url, { maxLen: 100 });
    const atB = collector();
    await b.subscribe('lobby', atB.deliver);
    cutOff.cut();
    await until(() => atB.notices().includes(RELAY_DOWN), WAIT_MS, "b's relay-down notice");
    const all = numbered('line', 1000);
    say(a, 'lobby', all);
    const key = streamKey('lobby');
    await untilAnswer(
      async () => (await admin.xInfoStream(key))['entries-added'] === 1000,
      WAIT_MS,
      'Redis to store all 1000 lines',
    );
    const kept = await admin.xLen(key);
    expect(kept).toBeGreaterThanOrEqual(100);
    expect(kept).toBeLessThan(1000);

    cutOff.restore();
    await until(() => atB.lines().length === kept, WAIT_MS, `b to read the ${kept} kept lines`);
    expect(atB.lines()).toEqual(all.slice(1000 - kept));
    expect(atB.notices()).toContain(linesTrimmed(1000 - kept, 100));
    expect(b.stats.trimmed).toBe(1000 - kept);
  });

  it('after Redis restarts empty, says the room lost its lines in Redis, then carries on with new ones', async () => {
    const own = await startRedisServer(); // restarted here: the other tests' server stays as it is
    try {
      const a = await streamBus(own.url);
      const b = await streamBus(own.url);
      const atB = collector();
      await a.subscribe('lobby', () => {});
      await b.subscribe('lobby', atB.deliver);
      say(a, 'lobby', numbered('before', 3));
      await until(() => atB.lines().length === 3, WAIT_MS, 'the first 3 lines at b');

      await own.restart(); // the same port, nothing kept (--save '' --appendonly no)
      await until(() => atB.notices().includes(HISTORY_LOST), WAIT_MS, "b's history-lost notice");
      say(a, 'lobby', ['after']);
      await until(() => atB.lines().includes('after'), WAIT_MS, 'the line said after the restart');
      expect(atB.lines()).toEqual(['before 1', 'before 2', 'before 3', 'after']);
      expect(atB.notices()).toContain(RELAY_DOWN);
    } finally {
      const pid = own.pid;
      await Promise.all(open.splice(0).map((thing) => thing.close()));
      await own.stop();
      if (pid !== undefined) expect(isRunning(pid)).toBe(false);
    }
  });

  describe('Redis killed (SIGKILL) and restarted on its append-only file (appendfsync always)', () => {
    let own: RedisServer;
    let ownAdmin: RedisClientType;

    beforeEach(async () => {
      own = await startRedisServer({ persist: true });
      ownAdmin = createClient({ url: own.url }) as RedisClientType;
      ownAdmin.on('error', () => {}); // Redis is killed on purpose; it reconnects by itself
      await ownAdmin.connect();
    });

    afterEach(async () => {
      await Promise.all(open.splice(0).map((thing) => thing.close()));
      ownAdmin.destroy();
      const pid = own.pid;
      await own.stop();
      if (pid !== undefined)
        expect(isRunning(pid), `redis-server ${pid} still running`).toBe(false);
    });

    const streamIds = async (key: string) =>
      ((await ownAdmin.xRange(key, '-', '+')) ?? []).map((entry) => entry.id);

    /** Kills Redis and waits until the killed process is gone: from here on nothing reaches it. */
    const kill = async () => {
      const pid = own.pid ?? 0;
      await own.crash();
      expect(isRunning(pid), 'the killed redis-server').toBe(false);
      expect(own.pid).toBeUndefined();
    };

    it('streams lose nothing: every entry answered before the kill comes back with its id, the lines said meanwhile follow once, in order', async () => {
      const [a, b] = [await streamBus(own.url), await streamBus(own.url)];
      const [atA, atB] = [collector(), collector()];
      await a.subscribe('lobby', atA.deliver);
      await b.subscribe('lobby', atB.deliver);
      const before = numbered('before', 20);
      say(a, 'lobby', before);
      await until(() => atB.lines().length === 20, WAIT_MS, 'the first 20 lines at b');
      const key = streamKey('lobby');
      const idsBefore = await streamIds(key);
      expect(idsBefore).toHaveLength(20);

      await kill();
      const during = numbered('during', 50);
      say(a, 'lobby', during); // Redis is gone: every one of these waits in a's outbox
      expect(a.backlog).toBe(50);

      await own.restart({ keepData: true });
      await until(() => atB.lines().length >= 70, WAIT_MS, 'b to read the 50 lines said meanwhile');
      expect(atB.lines()).toEqual([...before, ...during]);
      await until(() => a.backlog === 0, WAIT_MS, "a's outbox to empty");
      const ids = await streamIds(key);
      expect(ids.slice(0, 20), 'the 20 entries stored before the kill, same ids').toEqual(
        idsBefore,
      );
      expect(ids).toHaveLength(70); // each line stored once: nothing was sent to the dead server
      expect(b.stats.duplicates).toBe(0);
      await until(() => atB.notices().includes(RELAY_BACK), WAIT_MS, "b's relay-back notice");
      expect(atB.notices()).toEqual([RELAY_DOWN, RELAY_BACK]); // and no HISTORY_LOST
    });

    it('pub/sub loses exactly the lines published while Redis was down', async () => {
      const a = await RedisRoomBus.connect(own.url);
      const b = await RedisRoomBus.connect(own.url);
      open.push(a, b);
      const [atA, atB] = [collector(), collector()];
      await a.subscribe('lobby', atA.deliver);
      await b.subscribe('lobby', atB.deliver);
      say(a, 'lobby', ['before']);
      await until(() => atB.lines().includes('before'), WAIT_MS, "the line 'before' at b");

      await kill();
      say(a, 'lobby', numbered('during', 30)); // published while no Redis runs

      await own.restart({ keepData: true });
      const subscribers = async () =>
        Number((await ownAdmin.pubSubNumSub(roomChannel('lobby')))[roomChannel('lobby')]);
      await untilAnswer(
        async () => (await subscribers()) === 2,
        WAIT_MS,
        'a and b subscribed again (NUMSUB 2)',
      );
      say(a, 'lobby', ['fence']);
      // One connection delivers in order: once the fence is here, nothing older is still coming.
      await until(() => atB.lines().includes('fence'), WAIT_MS, 'the fence at b');
      expect(atB.lines()).toEqual(['before', 'fence']);
      await until(() => atA.lines().includes('fence'), WAIT_MS, 'the fence at a');
      expect(atA.lines()).toEqual(['before', 'fence']);
    });
  });

  it('after its reader reconnects with no room to read, a room subscribed during the next read gets its line at once', async () => {
    const cutOff = await link();
    // Far longer than any wait below: a room left waiting for a read's BLOCK time fails them.
    const b = await streamBus(cutOff.url, { blockMs: 60_000 });
    const clients = async () => (await admin.clientList()).length;
    /** Clients Redis holds in a blocking command: here, only ever b's reader in XREAD. */
    const blocked = async () =>
      (await admin.clientList()).filter((client) => client.flags.includes('b')).length;

    // b's reader reads once (learning its CLIENT ID), then waits in XREAD on 'first'.
    const atFirst = collector();
    await b.subscribe('first', atFirst.deliver);
    await admin.xAdd(streamKey('first'), '*', { event: '{"type":"notice","text":"one"}' });
    await until(() => atFirst.events.length === 1, WAIT_MS, "'first' read once");
    await untilAnswer(async () => (await blocked()) === 1, WAIT_MS, 'the reader in XREAD');
    // No room left: once that XREAD returns, the reader waits for a room, not in Redis.
    b.unsubscribe('first');
    await admin.xAdd(streamKey('first'), '*', { event: '{"type":"notice","text":"two"}' });
    await untilAnswer(async () => (await blocked()) === 0, WAIT_MS, 'the reader out of XREAD');

    // Its connections end and come back while it reads nothing.
    cutOff.cut();
    await untilAnswer(async () => (await clients()) === 1, WAIT_MS, "Redis to drop b's clients");
    cutOff.restore();
    const atSecond = collector();
    await untilAnswer(
      () => b.subscribe('second', atSecond.deliver).then(() => true),
      WAIT_MS,
      'b to subscribe again once reconnected',
    );
    await untilAnswer(
      async () => (await blocked()) === 1,
      WAIT_MS,
      "the reader in XREAD on 'second'",
    );

    // CLIENT UNBLOCK must reach the reader's new connection for 'third' to be read now.
    const atThird = collector();
    await b.subscribe('third', atThird.deliver);
    await admin.xAdd(streamKey('third'), '*', {
      event: '{"type":"message","nick":"ann","text":"first line"}',
    });
    await until(() => atThird.lines().includes('first line'), 10_000, "the first line of 'third'");
  });

  it('refuses a length bound below one full read, which would hide a gap', async () => {
    await expect(StreamRoomBus.connect(redis.url, { maxLen: 10 })).rejects.toThrow(
      'maxLen must be a whole number of at least 100, not 10',
    );
  });

  it('drops an entry that is not a chat event, and delivers one written by hand that is', async () => {
    const b = await streamBus(redis.url);
    const atB = collector();
    await b.subscribe('lobby', atB.deliver);
    const key = streamKey('lobby');
    await admin.xAdd(key, '*', { event: '{"type":"welcome","nick":"x","members":[]}' });
    await admin.xAdd(key, '*', { event: 'not json' });
    await admin.xAdd(key, '*', { other: 'field' });
    await admin.xAdd(key, '*', {
      event: '{"type":"message","nick":"eve","text":"hi","extra":"<script>"}',
      from: 'hand',
      seq: 'NaN',
    });
    await until(() => atB.events.length === 1, WAIT_MS, 'the one good entry');
    expect(atB.events).toEqual([{ type: 'message', nick: 'eve', text: 'hi' }]);
    expect(b.stats.malformed).toBe(3);
  });

  it('drops an entry whose producer number it has already passed (a publish sent twice)', async () => {
    const b = await streamBus(redis.url);
    const atB = collector();
    await b.subscribe('lobby', atB.deliver);
    const entry = (text: string, seq: number) => ({
      event: JSON.stringify({ type: 'message', nick: 'p', text }),
      from: 'producer-1',
      seq: String(seq),
    });
    const key = streamKey('lobby');
    for (const [text, seq] of [
      ['one', 1],
      ['two', 2],
      ['two', 2],
      ['three', 3],
      ['two', 2],
    ] as const)
      await admin.xAdd(key, '*', entry(text, seq));
    await until(() => b.stats.relayed + b.stats.duplicates === 5, WAIT_MS, 'all 5 entries read');
    expect(atB.lines()).toEqual(['one', 'two', 'three']);
    expect(b.stats.duplicates).toBe(2);
  });

  it('pub/sub loses exactly the lines published while the subscriber was cut off', async () => {
    const cutOff = await link();
    const a = await RedisRoomBus.connect(redis.url);
    const b = await RedisRoomBus.connect(cutOff.url);
    open.push(a, b);
    const [atA, atB] = [collector(), collector()];
    await a.subscribe('lobby', atA.deliver);
    await b.subscribe('lobby', atB.deliver);
    const subscribers = async () =>
      Number((await admin.pubSubNumSub(roomChannel('lobby')))[roomChannel('lobby')]);
    expect(await subscribers()).toBe(2);

    cutOff.cut();
    // Redis itself says b is gone: only a's subscription is left.
    await untilAnswer(async () => (await subscribers()) === 1, WAIT_MS, 'NUMSUB 1');
    const during = numbered('during', 40);
    say(a, 'lobby', during);
    await until(() => atA.lines().length === 40, WAIT_MS, 'a to receive its own 40 lines');

    cutOff.restore();
    await untilAnswer(
      async () => (await subscribers()) === 2,
      WAIT_MS,
      'b subscribed again (NUMSUB 2)',
    );
    say(a, 'lobby', ['fence']);
    // One connection delivers in order: once the fence is here, nothing older is still coming.
    await until(() => atB.lines().includes('fence'), WAIT_MS, 'the fence at b');
    expect(atB.lines()).toEqual(['fence']);
    expect(during.filter((line) => !atB.lines().includes(line))).toHaveLength(40);
  });
});
