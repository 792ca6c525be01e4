/**
 * The follower reads a real redis-server through a gate the test owns (grading/gate.ts). A cut
 * is CLIENT KILL ID on the Redis side; with the gate shut, the follower cannot come back, so the
 * entries the test adds then are added while it is away — checked by polling the gate, never by
 * sleeping. Every entry carries its number, so a failure names what was lost or repeated.
 */
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FollowOptions,
  followStream,
  type StreamEntry,
  StreamFollowError,
  type StreamFollower,
} from './02-stream-resume.ts';
import { Gate } from './grading/gate.ts';
import {
  type Admin,
  cleanUp,
  clientList,
  eventually,
  later,
  numbers,
  shouldRunRedisTests,
  startRedis,
  untilClientCount,
  WAIT_MS,
} from './grading/redis.ts';

afterEach(cleanUp);

const KEY = 'chat:log';

/** Adds `count` entries numbered from `first`, one after another; resolves with their ids. */
async function addEntries(admin: Admin, first: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = first; n < first + count; n++)
    ids.push(await admin.xAdd(KEY, '*', { n: String(n), text: `line ${n}` }));
  return ids;
}

interface Following {
  follower: StreamFollower;
  got: StreamEntry[];
}

async function follow(url: string, options?: FollowOptions): Promise<Following> {
  const got: StreamEntry[] = [];
  const follower = await followStream(url, KEY, (entry) => got.push(entry), options);
  // A test that closes its follower has checked close() itself; here it only must not linger.
  later(() => within(follower.close(), WAIT_MS, 'follower.close()').catch(() => {}));
  return { follower, got };
}

async function openGate(redisPort: number): Promise<Gate> {
  const gate = await Gate.open(redisPort);
  later(() => gate.stop());
  return gate;
}

function untilDelivered(got: StreamEntry[], id: string, what: string): Promise<true> {
  return eventually(
    () => got.some((entry) => entry.id === id) || undefined,
    `the follower to deliver ${what}`,
    () => `it has delivered ${got.length} entries, the last one ${label(got.at(-1))}`,
  );
}

function label(entry: StreamEntry | undefined): string {
  return entry ? `#${entry.fields.n} (${entry.id})` : '(none)';
}

/** Compares what was delivered with what was added, in words: lost, repeated, out of order. */
function expectExactlyOnceInOrder(got: StreamEntry[], ids: string[]): void {
  const seen = got.map((entry) => entry.id);
  const number = new Map(ids.map((id, i) => [id, i]));
  const lost = ids.filter((id) => !seen.includes(id)).map((id) => number.get(id));
  const repeated = seen.filter((id, i) => seen.indexOf(id) !== i).map((id) => number.get(id) ?? id);
  expect(numbers(lost), 'entries never delivered').toBe('none');
  expect(numbers(repeated), 'entries delivered more than once').toBe('none');
  expect(seen, 'the delivered ids, in the order they were added').toEqual(ids);
}

describe.runIf(shouldRunRedisTests())('3.4/02 followStream', () => {
  it('delivers the entries already in the stream, then those added while it reads, in order with their fields', async () => {
    const { url, admin } = await startRedis();
    const before = await addEntries(admin, 0, 50);
    const { got } = await follow(url);
    await untilDelivered(got, before.at(-1) ?? '', 'the 50 entries already in the stream');
    const added = await addEntries(admin, 50, 50);
    await untilDelivered(got, added.at(-1) ?? '', 'the 50 entries added while it reads');
    expectExactlyOnceInOrder(got, [...before, ...added]);
    expect(got[7], 'entry #7 as delivered').toEqual({
      id: before[7],
      fields: { n: '7', text: 'line 7' },
    });
  });

  it('starts after a given id, and lastId is the id of the last entry delivered', async () => {
    const { url, admin } = await startRedis();
    const empty = await follow(url);
    expect(empty.follower.lastId, "lastId before any entry, with the default 'after'").toBe('0');

    const ids = await addEntries(admin, 0, 10);
    const { follower, got } = await follow(url, { after: ids[4] });
    await untilDelivered(got, ids[9] ?? '', 'the entries after #4');
    expectExactlyOnceInOrder(got, ids.slice(5));
    expect(follower.lastId, 'lastId after delivering #9').toBe(ids[9]);
    const [next = ''] = await addEntries(admin, 10, 1);
    await untilDelivered(got, next, 'entry #10');
    expect(follower.lastId, 'lastId after delivering #10').toBe(next);
  });

  it('loses nothing and repeats nothing across a cut: entries added while it is away arrive once it is back', async () => {
    const { redis, admin } = await startRedis();
    const gate = await openGate(redis.port);
    const before = await addEntries(admin, 0, 20);
    const { got } = await follow(gate.url);
    await untilDelivered(got, before.at(-1) ?? '', 'the first 20 entries');

    gate.shut();
    expect(
      await gate.cut(admin),
      "the follower's connections killed with CLIENT KILL ID",
    ).toBeGreaterThan(0);
    await eventually(() => gate.live === 0 || undefined, 'the follower to be disconnected');
    const away = await addEntries(admin, 20, 30);
    expect(got, 'entries delivered while it cannot reach Redis').toHaveLength(20);
    await eventually(
      () => gate.turnedAway > 0 || undefined,
      'the follower to try to reconnect (node-redis does it by itself: keep an error listener, do not give up)',
    );

    gate.reopen();
    await untilDelivered(got, away.at(-1) ?? '', 'the 30 entries added while it was away');
    const after = await addEntries(admin, 50, 10);
    await untilDelivered(got, after.at(-1) ?? '', 'the 10 entries added after it came back');
    expectExactlyOnceInOrder(got, [...before, ...away, ...after]);
  });

  it('reads on through five cuts in a row while entries keep coming, each delivered once and in order', async () => {
    const { redis, admin } = await startRedis();
    const gate = await openGate(redis.port);
    const { got } = await follow(gate.url, { blockMs: 200 });
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      const accepted = gate.accepted;
      // Half the round's entries go in while the cut happens: some replies die on the way.
      const adding = addEntries(admin, round * 20, 10);
      await gate.cut(admin);
      ids.push(...(await adding));
      await eventually(
        () => (gate.accepted > accepted && gate.live > 0) || undefined,
        `the follower to reconnect after cut ${round + 1}`,
      );
      ids.push(...(await addEntries(admin, round * 20 + 10, 10)));
    }
    await untilDelivered(got, ids.at(-1) ?? '', 'the last entry');
    expectExactlyOnceInOrder(got, ids);
  });

  it('refuses a key that holds something other than a stream with a StreamFollowError naming the key, and leaves no connection open', async () => {
    const { url, admin } = await startRedis();
    await admin.set(KEY, 'not a stream');
    const attempt = within(
      followStream(url, KEY, () => {}),
      WAIT_MS,
      'followStream on a key that holds a string',
    );
    await expect(attempt).rejects.toBeInstanceOf(StreamFollowError);
    await expect(attempt).rejects.toThrow(KEY);
    await untilClientCount(admin, 1, "the refused follower's connection to be closed");
  });

  it('closes at once while XREAD is blocked, and leaves no connection open', async () => {
    const { url, admin } = await startRedis();
    // A close() that waits for the blocked read to end would take 60 s.
    const { follower } = await follow(url, { blockMs: 60_000 });
    await eventually(
      async () => (await clientList(admin)).some((c) => c.cmd === 'xread') || undefined,
      'the follower to wait in XREAD … BLOCK',
    );
    await within(
      follower.close(),
      WAIT_MS,
      "close() while XREAD is blocked (the client's close() waits for that reply; destroy() does not)",
    );
    await untilClientCount(admin, 1, "the follower's connection to be closed");
  });
});
