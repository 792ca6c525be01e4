/**
 * 3.4.4 against real processes and a real redis-server: nicknames unique across workers, member
 * lists and notices across workers, and a killed worker's members expiring within the TTL. Every
 * worker and the Redis are stopped after the tests and checked gone by pid.
 */
import { ChatHub, NICKNAME_TAKEN } from '@course/chapter-3.1/chat/hub';
import type { ChatLimits } from '@course/chapter-3.1/chat/limits';
import { startCourseServer } from '@course/chapter-3.1/course-server';
import { type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until, within } from '@course/course-kit/testing/waits';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../src/chat/chat-client.ts';
import { RELAY_BACK, RELAY_DOWN } from '../src/chat/redis-room-bus.ts';
import { RedisRoster } from '../src/chat/redis-roster.ts';
import {
  type ChatCluster,
  startChatCluster,
  type WorkerInfo,
} from '../src/cluster/chat-cluster.ts';
import { crossTalk, joinOnTwoWorkers } from '../src/cluster/placement.ts';
import { type Link, openLink } from '../src/outage/link.ts';
import { untilAnswer } from './until-answer.ts';

/**
 * Long enough that no pause of a loaded machine can expire a live member's claim (renewed every
 * third of it): the tests that kill nothing use it.
 */
const TTL_MS = 10_000;
/** Short, for the one test where expiry is the point: a killed worker's names expire during it. */
const SHORT_TTL_MS = 1500;

/** The worker that welcomed `client`, found by the pid its welcome names. */
function workerOf(workers: readonly WorkerInfo[], client: ChatClient): WorkerInfo {
  const found = workers.find((w) => client.server.includes(`pid ${w.pid})`));
  if (!found) throw new Error(`no worker matches ${client.server}`);
  return found;
}

describe.runIf(shouldRunRedisTests())('one chat on two workers and Redis (3.4.3, 3.4.4)', () => {
  let redis: RedisServer;
  /** Reads Redis's state directly, as the tests' witness. */
  let admin: RedisClientType;
  let chat: ChatCluster | undefined;
  const clients: ChatClient[] = [];
  const pids: number[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = createClient({ url: redis.url }) as RedisClientType;
    admin.on('error', () => {}); // one test restarts Redis; node-redis reconnects
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await chat?.stop();
    chat = undefined;
  });

  afterAll(async () => {
    admin?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    for (const each of [...pids, pid ?? 0]) expect(isRunning(each), `process ${each}`).toBe(false);
  });

  async function start(
    roster: 'local' | 'redis',
    nicknameTtlMs = TTL_MS,
    chatLimits: Partial<ChatLimits> = {},
  ) {
    chat = await startChatCluster({
      workers: 2,
      relay: 'redis',
      roster,
      redisUrl: redis.url,
      nicknameTtlMs,
      chatLimits,
    });
    pids.push(...chat.workers.map((w) => w.pid));
    return chat;
  }

  async function pair(first: string, second: string, room = 'lobby') {
    const { url } = chat ?? (await start('redis'));
    const both = await joinOnTwoWorkers(url, room, first, second);
    clients.push(...both);
    return both;
  }

  it('lets members on two workers chat both ways through Redis', async () => {
    await start('local');
    const [alice, bob] = await pair('alice', 'bob');
    expect(bob.server).not.toBe(alice.server);
    expect(await crossTalk(alice, bob)).toEqual({ bSawA: true, aSawB: true });
  });

  it('makes a nickname unique across workers: the second "sam" is sam#2, and its welcome lists the first', async () => {
    await start('redis');
    const [first, second] = await pair('sam', 'Sam');
    expect(first.nick).toBe('sam');
    expect(second.nick).toBe('Sam#2');
    expect(second.welcome.members).toEqual(['sam']);
    await first.waitFor(
      (e) => e.type === 'join' && e.nick === 'Sam#2' && e.online === 2,
      5000,
      "Sam#2's join at sam",
    );
  });

  it('announces a leave across workers with the headcount of the whole room', async () => {
    await start('redis');
    const [alice, bob] = await pair('alice', 'bob');
    await alice.close();
    const leave = await bob.waitFor((e) => e.type === 'leave' && e, 5000, "alice's leave at bob");
    expect(leave).toEqual({ type: 'leave', nick: 'alice', online: 1, reason: 'left' });
  });

  it("holds a room's limit across workers: one more member on either worker is refused with 1013, and its name given back", async () => {
    const { url } = await start('redis', TTL_MS, { maxRoomMembers: 2 });
    const [alice, bob] = await pair('alice', 'bob', 'capped');
    // Each worker holds one member of the two: only the roster's count says the room is full.
    await expect(ChatClient.join(url, 'carol', 'capped')).rejects.toThrow(
      'closed (1013 this room is full (2 members); try again later)',
    );
    // The worker sends the release before the close; Redis may run it a moment after.
    await untilAnswer(
      async () => (await admin.exists('chat:nick:capped:carol')) === 0,
      5000,
      "carol's claim to be given back",
    );
    expect((await admin.hKeys('chat:members:capped')).toSorted()).toEqual(['alice', 'bob']);
    expect(alice.events.filter((e) => e.type === 'join' && e.nick === 'carol')).toEqual([]);
    await bob.close();
    await alice.waitFor((e) => e.type === 'leave' && e, 10_000, "bob's leave at alice");
    const carol = await ChatClient.join(url, 'carol', 'capped');
    clients.push(carol);
    expect(carol.welcome.members).toEqual(['alice']);
  });

  it("announces a member's leave on the other worker when its own worker stops gracefully", async () => {
    const { workers } = await start('redis');
    const [alice, bob] = await pair('alice', 'bob', 'graceful');
    const stopping = workerOf(workers, alice);
    process.kill(stopping.pid, 'SIGTERM'); // a worker's graceful stop, as chat.stop() asks it
    expect(await alice.waitForClose(20_000)).toEqual({
      code: 1001,
      reason: 'server shutting down',
    });
    const leave = await bob.waitFor((e) => e.type === 'leave' && e, 20_000, "alice's leave at bob");
    expect(leave).toEqual({ type: 'leave', nick: 'alice', online: 1, reason: 'left' });
    // Released rather than left to expire: no sweep can announce her a second time.
    expect(await admin.exists('chat:nick:graceful:alice')).toBe(0);
    expect(await admin.hKeys('chat:members:graceful')).toEqual(['bob']);
    await until(() => !isRunning(stopping.pid), 15_000, `worker ${stopping.pid} to be gone`);
  });

  it("frees a killed worker's nickname within its TTL and has the other worker announce it as lost", async () => {
    const { workers, url } = await start('redis', SHORT_TTL_MS);
    const [alice, bob] = await pair('alice', 'bob', 'kills');
    const claim = 'chat:nick:kills:alice';
    const left = await admin.pTTL(claim);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(SHORT_TTL_MS);
    const dead = workerOf(workers, alice);
    process.kill(dead.pid, 'SIGKILL');
    await alice.waitForClose();
    // Renewed at most TTL/3 before the kill, so Redis drops it within a TTL of the kill.
    await untilAnswer(
      async () => (await admin.exists(claim)) === 0,
      SHORT_TTL_MS + 5000,
      "alice's claim to expire",
    );
    const leave = await bob.waitFor(
      (e) => e.type === 'leave' && e,
      SHORT_TTL_MS + 10_000,
      "alice's leave at bob",
    );
    expect(leave).toEqual({ type: 'leave', nick: 'alice', online: 1, reason: 'connection lost' });
    const again = await ChatClient.join(url, 'alice', 'kills');
    clients.push(again);
    expect(again.nick).toBe('alice');
    expect(again.welcome.members).toEqual(['bob']);
    await until(() => !isRunning(dead.pid), 5000, `worker ${dead.pid} to be gone`);
  });
  it('survives a Redis restart: members hear it go and come back, lines cross again, and nicknames are claimed again', async () => {
    await start('redis');
    const [alice, bob] = await pair('alice', 'bob', 'outage');
    await redis.restart(); // a new, empty Redis on the same port
    for (const client of [alice, bob]) {
      await client.waitFor(
        (e) => e.type === 'notice' && e.text === RELAY_BACK && e,
        20_000,
        `the relay back at ${client.nick}`,
      );
      expect(
        client.events.filter((e) => e.type === 'notice').map((e) => e.type === 'notice' && e.text),
      ).toEqual([RELAY_DOWN, RELAY_BACK]);
    }
    // The heartbeat finds the claim gone and takes it again (RENEW), within a third of the TTL.
    await untilAnswer(
      async () => (await admin.exists('chat:nick:outage:alice')) === 1,
      TTL_MS + 5000,
      "alice's claim to be taken again",
    );
    expect(await crossTalk(alice, bob)).toEqual({ bSawA: true, aSawB: true });
    const { url } = chat ?? (await start('redis'));
    const another = await ChatClient.join(url, 'alice', 'outage');
    clients.push(another);
    expect(another.nick).toBe('alice#2');
  });
});

describe.runIf(shouldRunRedisTests())('the Redis roster under contention', () => {
  let redis: RedisServer;
  let admin: RedisClientType;
  const rosters: RedisRoster[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = createClient({ url: redis.url }) as RedisClientType;
    admin.on('error', () => {});
    await admin.connect();
  });

  afterAll(async () => {
    for (const roster of rosters) await roster.close();
    admin?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  it('never gives one name twice when four workers claim it at once, 25 times over', async () => {
    for (let i = 0; i < 4; i++) rosters.push(await RedisRoster.connect(redis.url));
    for (let round = 0; round < 25; round++) {
      const room = `race-${round}`;
      const seats = await Promise.all(rosters.map((roster) => roster.claim(room, 'zoe')));
      const nicks = seats.map((seat) => seat.nick.toLowerCase());
      expect(new Set(nicks).size, `round ${round}: ${nicks.join(', ')}`).toBe(4);
      expect(nicks).toContain('zoe');
    }
  });

  it('gives a released name back at once, and tells the room how many are left', async () => {
    const [roster] = rosters;
    if (!roster) throw new Error('no roster');
    await roster.claim('back', 'ann');
    const bob = await roster.claim('back', 'bob');
    expect(bob).toEqual({ nick: 'bob', others: ['ann'], online: 2 });
    const online = await within(
      new Promise<number>((resolve) => roster.release('back', 'ann', resolve)),
      5000,
      'the release',
    );
    expect(online).toBe(1);
    expect((await roster.claim('back', 'ann')).nick).toBe('ann');
  });

  it('never brings back a member who leaves while the heartbeat renews the others, and announces each leave once', async () => {
    // A beat every 2 s renews 500 claims one by one; the leaves, spread over 6 s, land before,
    // during and after beats. The TTL is short only so that beats come often.
    const ttlMs = 6000;
    const expired: string[] = [];
    const roster = await RedisRoster.connect(redis.url, {
      ttlMs,
      onExpired: (_room, nick) => expired.push(nick),
    });
    rosters.push(roster);
    const room = 'churn';
    const nicks = Array.from({ length: 500 }, (_, i) => `m${i}`);
    for (const nick of nicks) await roster.claim(room, nick);
    const announced: string[] = [];
    const leaves = nicks.map(
      (nick, i) =>
        new Promise<void>((announce) => {
          const leave = () =>
            roster.release(room, nick, () => {
              announced.push(nick);
              announce();
            });
          // 7919 is prime to 500: every member gets its own slot, in an order unlike the
          // order the beat renews them in (the order they joined).
          setTimeout(leave, ((i * 7919) % nicks.length) * (ttlMs / nicks.length));
        }),
    );
    await within(Promise.all(leaves), ttlMs + 20_000, 'all 500 leaves announced');
    // A beat that began after every leave has renewed the fence: every beat that could have
    // renewed a departed member is over.
    await roster.claim(room, 'fence');
    await untilRenewed(admin, `chat:nick:${room}:fence`, ttlMs + 10_000);
    // A RENEW after its RELEASE would have put the claim and the entry back; the entry stays
    // until a sweep removes it, and that sweep announces the member a second time.
    expect(await admin.hKeys(`chat:members:${room}`)).toEqual(['fence']);
    expect(await admin.keys(`chat:nick:${room}:m*`)).toEqual([]);
    expect(expired).toEqual([]);
    expect(announced.toSorted()).toEqual(nicks.toSorted());
  }, 60_000);
});

describe.runIf(shouldRunRedisTests())('a nickname after Redis loses its data', () => {
  let redis: RedisServer;
  let link: Link;
  let admin: RedisClientType;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    link = await openLink({ host: redis.host, port: redis.port });
    admin = createClient({ url: redis.url }) as RedisClientType;
    admin.on('error', () => {}); // the test restarts Redis; node-redis reconnects
    await admin.connect();
  });

  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await link?.close();
    admin?.destroy();
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  it('closes a member whose name another member took while Redis was away, says so once, and announces no leave', async () => {
    const lines: string[] = [];
    // This worker reaches Redis through a link the test can cut.
    const roster = await RedisRoster.connect(link.url, {
      ttlMs: TTL_MS,
      log: (l) => lines.push(l),
    });
    closers.push(() => roster.close());
    const server = await startCourseServer({
      createHub: (policy, log) => new ChatHub(policy, log, undefined, { roster }),
    });
    closers.push(() => server.close());
    const alice = await ChatClient.join(server.url, 'alice', 'lost');
    const carol = await ChatClient.join(server.url, 'carol', 'lost');
    closers.push(() => carol.close());

    link.cut();
    await redis.restart(); // empty, on the same port, while this worker cannot reach it
    const other = await RedisRoster.connect(redis.url, { ttlMs: TTL_MS });
    closers.push(() => other.close());
    expect((await other.claim('lost', 'alice')).nick).toBe('alice'); // nobody holds it now
    link.restore();

    expect(await alice.waitForClose(TTL_MS + 20_000)).toEqual({
      code: 1013,
      reason: NICKNAME_TAKEN,
    });
    // carol's claim is taken again by the beat that gave alice's up; a later beat renews it.
    await untilRenewed(admin, 'chat:nick:lost:carol', TTL_MS + 10_000);
    expect(lines.filter((line) => line.includes('lost its nickname'))).toEqual([
      'alice in lost lost its nickname to another member while Redis was away',
    ]);
    expect((await admin.hKeys('chat:members:lost')).toSorted()).toEqual(['alice', 'carol']);
    // The room was not told "alice left": the alice in it now is the other one.
    expect(carol.events.filter((e) => e.type === 'leave')).toEqual([]);
  }, 60_000);
});

/**
 * Resolves once the claim's time to live goes up from a positive reading: a heartbeat renewed
 * a claim that existed when the wait began.
 */
async function untilRenewed(admin: RedisClientType, key: string, ms: number) {
  let last = await admin.pTTL(key);
  await untilAnswer(
    async () => {
      const now = await admin.pTTL(key);
      const renewed = last > 0 && now > last;
      last = now;
      return renewed;
    },
    ms,
    `a heartbeat to renew ${key}`,
  );
}
