/**
 * RedisRoomBus against a real redis-server, with in-process hubs standing in for workers: lines
 * cross from one hub to another, each arrives once, nothing oversized is published, an outage is
 * told to the members and survived. Every Redis started here is stopped and checked gone.
 */
import { ChatHub, type Member } from '@course/chapter-3.1/chat/hub';
import { type CourseServer, startCourseServer } from '@course/chapter-3.1/course-server';
import { freePort, type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until, within } from '@course/course-kit/testing/waits';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../src/chat/chat-client.ts';
import { RELAY_BACK, RELAY_DOWN, RedisRoomBus } from '../src/chat/redis-room-bus.ts';
import { RedisUnreachableError } from '../src/redis/errors.ts';
import { FakePeer } from './fake-peer.ts';

describe.runIf(shouldRunRedisTests())('a room bus on Redis pub/sub', () => {
  let redis: RedisServer;
  const closers: Array<() => Promise<void>> = [];
  /** Every PUBLISH Redis executes, as MONITOR reports it: [channel, message]. */
  const published: string[][] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const monitor = createClient({ url: redis.url });
    monitor.on('error', () => {});
    await monitor.connect();
    await monitor.monitor((line: string) => {
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`));
      if (args[0]?.toUpperCase() === 'PUBLISH') published.push(args.slice(1));
    });
    closers.push(async () => monitor.destroy());
  });

  afterEach(async () => {
    for (const close of closers.splice(1).reverse()) await close();
  });

  afterAll(async () => {
    for (const close of closers.splice(0)) await close();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  /** A hub with its own bus, as one worker has. */
  async function worker(url = redis.url, name = 'worker') {
    const lines: string[] = [];
    const bus = await RedisRoomBus.connect(url, { log: (line) => lines.push(line) });
    const hub = new ChatHub({}, () => {}, undefined, { bus, server: name });
    closers.push(() => bus.close());
    return { hub, bus, lines };
  }

  async function seat(hub: ChatHub, nick: string, room = 'lobby') {
    const peer = new FakePeer();
    const member = await hub.join(peer, { nick, room });
    if (!member) throw new Error(`${nick} was refused: ${peer.closedWith?.reason}`);
    return { peer, member: member as Member };
  }

  const sawLine = (peer: FakePeer, text: string) => peer.messages().includes(text);

  it("delivers one worker's line to another's members, and to its sender once", async () => {
    const [one, two] = [await worker(), await worker()];
    const alice = await seat(one.hub, 'alice');
    const bob = await seat(two.hub, 'bob');
    await until(
      () => alice.peer.sent.some((e) => e.type === 'join' && e.nick === 'bob'),
      5000,
      "bob's join at alice",
    );
    one.hub.say(alice.member, 'first');
    await until(() => sawLine(bob.peer, 'first'), 5000, '"first" at bob');
    one.hub.say(alice.member, 'second');
    // Redis hands one subscriber a channel's messages in order: with "second" here, a second
    // copy of "first" would be here too.
    await until(() => sawLine(alice.peer, 'second'), 5000, '"second" back at alice');
    expect(alice.peer.messages()).toEqual(['first', 'second']);
    expect(
      published
        .filter(([channel]) => channel === 'chat:room:lobby')
        .map(([, text]) => JSON.parse(text ?? '').type),
    ).toContain('message');
  });

  it('publishes no event over 16 KiB: a bigger one never reaches Redis', async () => {
    const { bus, lines } = await worker();
    await bus.subscribe('big', () => {});
    bus.publish('big', { type: 'notice', text: 'x'.repeat(17 * 1024) });
    bus.publish('big', { type: 'notice', text: 'fence' });
    // One connection, one order: once the fence is published, so is anything sent before it.
    await until(
      () => published.some(([, text]) => text?.includes('fence')),
      5000,
      'the fence at MONITOR',
    );
    expect(published.filter(([channel]) => channel === 'chat:room:big')).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('refused to publish a notice of'))).toBe(true);
  });

  it('closes a client that sends a line over 2,000 characters with 1009, and the line never reaches Redis', async () => {
    const bus = await RedisRoomBus.connect(redis.url);
    closers.push(() => bus.close());
    const server: CourseServer = await startCourseServer({
      port: 0,
      createHub: (policy, log) => new ChatHub(policy, log, undefined, { bus }),
    });
    closers.push(() => server.close());
    const [big, witness] = [
      await ChatClient.join(server.url, 'big', 'limits'),
      await ChatClient.join(server.url, 'witness', 'limits'),
    ];
    closers.push(() => witness.close());
    const huge = '語'.repeat(2001);
    big.say(huge);
    expect(await big.waitForClose()).toEqual({
      code: 1009,
      reason: 'chat lines are limited to 2000 characters',
    });
    witness.say('after the big one');
    await witness.waitForLine('witness', 'after the big one');
    const inLimits = published
      .filter(([channel]) => channel === 'chat:room:limits')
      .map(([, text]) => text ?? '');
    expect(inLimits.some((text) => text.includes('after the big one'))).toBe(true);
    expect(inLimits.some((text) => text.includes('語語語'))).toBe(false);
  });

  it('drops what is not a chat event on a room channel, and passes on only the known fields of one that is', async () => {
    const { hub, lines } = await worker();
    const { peer } = await seat(hub, 'reader', 'hostile');
    const intruder = createClient({ url: redis.url });
    intruder.on('error', () => {});
    await intruder.connect();
    closers.push(async () => intruder.destroy());
    for (const junk of [
      'not json',
      '{"type":"welcome","nick":"x","room":"hostile","members":[]}',
      '{"type":"message","nick":"x"}',
      '{"type":"message","nick":"mallory","text":"hi","html":"<img src=x>"}',
      '{"type":"message","nick":"fence","text":"last"}',
    ]) {
      await intruder.publish('chat:room:hostile', junk);
    }
    await until(() => peer.messages().includes('last'), 5000, 'the fence line');
    expect(peer.sent.filter((e) => e.type !== 'welcome')).toEqual([
      { type: 'message', nick: 'mallory', text: 'hi' },
      { type: 'message', nick: 'fence', text: 'last' },
    ]);
    expect(lines[0]).toMatch(/^dropped a malformed event on chat:room:hostile: not json/);
  });

  it('refuses to connect to a Redis that is not there, saying where it looked', async () => {
    const port = await freePort('127.0.0.1');
    await expect(
      RedisRoomBus.connect(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 500 }),
    ).rejects.toThrow(
      new RegExp(`^could not reach Redis at redis://127\\.0\\.0\\.1:${port} within 500 ms`),
    );
    await expect(
      RedisRoomBus.connect(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 500 }),
    ).rejects.toBeInstanceOf(RedisUnreachableError);
  });
});

describe.runIf(shouldRunRedisTests())('a room bus that gets one connection of two', () => {
  let redis: RedisServer | undefined;
  let admin: RedisClientType | undefined;

  afterAll(async () => {
    admin?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  const sockets = () =>
    process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;

  it('closes the connection that got through when the other is refused, and leaves no socket open', async () => {
    redis = await startRedisServer();
    const witness = createClient({ url: redis.url }) as RedisClientType;
    admin = witness;
    witness.on('error', () => {});
    await witness.connect();
    // The witness's connection and one more: the bus's second connection is turned away.
    await witness.configSet('maxclients', '2');
    const before = sockets();
    await expect(
      RedisRoomBus.connect(redis.url, { commandTimeoutMs: 1000 }),
    ).rejects.toBeInstanceOf(RedisUnreachableError);
    await until(() => sockets() === before, 5000, "this process's sockets to Redis to close");
    // Redis's side too: its only client left is the witness (it sees a close a moment later).
    const deadline = Date.now() + 5000;
    let clients = (await witness.clientList()).length;
    while (clients !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      clients = (await witness.clientList()).length;
    }
    expect(clients, 'clients connected to Redis: the witness alone').toBe(1);
  });
});

describe.runIf(shouldRunRedisTests())('a room bus through a Redis outage', () => {
  let redis: RedisServer;
  const buses: RedisRoomBus[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    for (const bus of buses) await within(bus.close(), 5000, 'a bus to close with its Redis gone');
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  async function worker() {
    const bus = await RedisRoomBus.connect(redis.url);
    buses.push(bus);
    return new ChatHub({}, () => {}, undefined, { bus });
  }

  it('tells every member when the relay goes and when it is back, then carries lines again', async () => {
    const [one, two] = [await worker(), await worker()];
    const a = new FakePeer();
    const b = new FakePeer();
    await one.join(a, { nick: 'a' });
    const bob = await two.join(b, { nick: 'b' });
    if (!bob) throw new Error('b was refused');
    await redis.restart(); // a new, empty Redis on the same port: every subscription is gone
    for (const peer of [a, b]) {
      await until(() => peer.notices().includes(RELAY_BACK), 15_000, 'the relay to be back');
      expect(peer.notices()).toEqual([RELAY_DOWN, RELAY_BACK]);
    }
    two.say(bob, 'after the outage');
    await until(
      () => a.messages().includes('after the outage'),
      5000,
      'a line across workers after the outage',
    );
  });

  it('refuses a join with 1013 while Redis is down, at once rather than after a hang', async () => {
    const hub = await worker();
    await redis.stop();
    const late = new FakePeer();
    expect(
      await within(
        hub.join(late, { nick: 'late', room: 'new-room' }),
        5000,
        'the join to be refused',
      ),
    ).toBeUndefined();
    expect(late.closedWith).toEqual({
      code: 1013,
      reason: 'the chat cannot take new members right now; try again later',
    });
  });
});
