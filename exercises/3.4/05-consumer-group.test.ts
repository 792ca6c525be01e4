/**
 * Workers on connections of their own stand for processes sharing a stream's work, against a
 * redis-server of each test's own. The dead worker is played by the test's admin connection:
 * it reads entries for a consumer named "dead" and never acknowledges them, which is exactly
 * what a crashed process leaves in Redis. Every wait polls handled entries or XPENDING.
 */
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Handle,
  type StreamEntry,
  type StreamWorker,
  type StreamWorkerOptions,
  startStreamWorker,
} from './05-consumer-group.ts';
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

const KEY = 'chat:archive';
const GROUP = 'archivers';

async function addEntries(admin: Admin, first: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = first; n < first + count; n++)
    ids.push(await admin.xAdd(KEY, '*', { n: String(n) }));
  return ids;
}

async function startWorker(
  url: string,
  handle: Handle,
  options: Partial<StreamWorkerOptions> & { consumer: string },
): Promise<StreamWorker> {
  const worker = await startStreamWorker(url, KEY, handle, { group: GROUP, ...options });
  // A test that closes its worker has checked close() itself; here it only must not linger.
  later(() => within(worker.close(), WAIT_MS, 'worker.close()').catch(() => {}));
  return worker;
}

/** The ids pending in the group (delivered, not acknowledged), with their consumers. */
async function pending(admin: Admin): Promise<Array<{ id: string; consumer: string }>> {
  const list = await admin.xPendingRange(KEY, GROUP, '-', '+', 1000);
  return list.map(({ id, consumer }) => ({ id, consumer: String(consumer) }));
}

async function untilNothingPending(admin: Admin): Promise<void> {
  let left: Array<{ id: string; consumer: string }> = [];
  await eventually(
    async () => {
      left = await pending(admin);
      return left.length === 0 || undefined;
    },
    'every entry to be acknowledged (XPENDING empty)',
    () => `${left.length} still pending, e.g. ${JSON.stringify(left.slice(0, 3))}`,
  );
}

/** Each id of `ids` handled exactly once, in words when not. */
function expectEachOnce(handled: string[], ids: string[]): void {
  const number = new Map(ids.map((id, i) => [id, i]));
  const lost = ids.filter((id) => !handled.includes(id)).map((id) => number.get(id));
  const twice = handled
    .filter((id, i) => handled.indexOf(id) !== i)
    .map((id) => number.get(id) ?? id);
  expect(numbers(lost), 'entries never handled').toBe('none');
  expect(numbers(twice), 'entries handled more than once').toBe('none');
  expect(handled.length, 'entries handled').toBe(ids.length);
}

describe.runIf(shouldRunRedisTests())('3.4/05 startStreamWorker', () => {
  it('hands each entry to one worker of the group: three workers share 300 entries, each handled once, none left pending', async () => {
    const { url, admin } = await startRedis();
    const before = await addEntries(admin, 0, 100); // there before the group: work all the same
    const handled: string[] = [];
    const workers = await Promise.all(
      ['w1', 'w2', 'w3'].map((consumer) =>
        startWorker(url, (entry) => void handled.push(entry.id), { consumer }),
      ),
    );
    const during = await addEntries(admin, 100, 200);
    await eventually(
      () => handled.length >= 300 || undefined,
      'the three workers to handle 300 entries',
      () => `they have handled ${handled.length}`,
    );
    await untilNothingPending(admin);
    expectEachOnce(handled, [...before, ...during]);
    // done counts an entry once its XACK has been answered, which may be just after XPENDING empties.
    const done = () => workers.reduce((sum, w) => sum + w.done, 0);
    await eventually(
      () => done() === 300 || undefined,
      'the workers\' "done" counts to add up to 300',
      () => `they add up to ${done()}`,
    );
  });

  it('acknowledges an entry only once its handler has finished, and leaves a failed one pending', async () => {
    const { url, admin } = await startRedis();
    const ids = await addEntries(admin, 0, 8);
    const calls: string[] = [];
    let finish = () => {};
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const handle: Handle = (entry: StreamEntry) => {
      calls.push(entry.fields.n ?? '?');
      if (entry.fields.n === '3') throw new Error('disk full');
      if (entry.fields.n === '5') return held; // still working on it
    };
    const worker = await startWorker(url, handle, { consumer: 'w1', claimIdleMs: 60_000 });
    await eventually(
      () => calls.includes('5') || undefined,
      'the handler to be called for #5',
      () => `it was called for ${numbers(calls)}`,
    );
    const whileHeld = (await pending(admin)).map((p) => ids.indexOf(p.id));
    expect(
      whileHeld,
      "pending entries (by number) while #5's handler runs: #5 is delivered, not acknowledged",
    ).toContain(5);
    expect(
      whileHeld,
      'pending entries (by number): #3, whose handler threw, must stay pending',
    ).toContain(3);

    finish();
    let left: string[] = [];
    await eventually(
      async () => {
        left = (await pending(admin)).map((p) => p.id);
        return (left.length === 1 && left[0] === ids[3]) || undefined;
      },
      'only #3 (whose handler threw) to be left pending',
      () => `pending: ${numbers(left.map((id) => ids.indexOf(id)))}`,
    );
    await eventually(
      () => worker.done === 7 || undefined,
      '"done" to count the 7 entries handled and acknowledged',
      () => `it says ${worker.done}`,
    );
  });

  it("takes over a dead worker's entries once they have been idle claimIdleMs, and handles each once", async () => {
    const { url, admin } = await startRedis();
    await admin.xGroupCreate(KEY, GROUP, '0', { MKSTREAM: true });
    const ids = await addEntries(admin, 0, 10);
    // A worker named "dead" read six entries and crashed before acknowledging any.
    await admin.xReadGroup(GROUP, 'dead', { key: KEY, id: '>' }, { COUNT: 6 });
    expect(
      (await pending(admin)).map((p) => p.consumer),
      'pending with "dead"',
    ).toEqual(Array(6).fill('dead'));

    const handled: string[] = [];
    await startWorker(url, (entry) => void handled.push(entry.id), {
      consumer: 'alive',
      claimIdleMs: 300,
      blockMs: 100,
    });
    await eventually(
      () => handled.length >= 10 || undefined,
      'the worker to handle the 4 new entries and the 6 "dead" left pending (XAUTOCLAIM after claimIdleMs)',
      () => `it has handled ${numbers(handled.map((id) => ids.indexOf(id)))}`,
    );
    await untilNothingPending(admin);
    expectEachOnce(handled, ids);
  });

  it('does a failed entry again once it has been idle claimIdleMs, and then acknowledges it', async () => {
    const { url, admin } = await startRedis();
    const ids = await addEntries(admin, 0, 10);
    const attempts = new Map<string, number[]>();
    const succeeded: string[] = [];
    const handle: Handle = (entry) => {
      const n = entry.fields.n ?? '?';
      const times = attempts.get(n) ?? [];
      times.push(performance.now());
      attempts.set(n, times);
      if ((n === '2' || n === '7') && times.length === 1) throw new Error('try again');
      succeeded.push(entry.id);
    };
    const claimIdleMs = 1000;
    await startWorker(url, handle, { consumer: 'w1', claimIdleMs, blockMs: 100 });
    await eventually(
      () => succeeded.length >= 10 || undefined,
      'all ten entries to be done, #2 and #7 on their second attempt',
      () => `done: ${numbers(succeeded.map((id) => ids.indexOf(id)))}`,
    );
    await untilNothingPending(admin);
    expectEachOnce(succeeded, ids);
    expect([attempts.get('2')?.length, attempts.get('7')?.length], 'attempts at #2 and #7').toEqual(
      [2, 2],
    );
    for (const n of ['2', '7']) {
      const [first = 0, second = 0] = attempts.get(n) ?? [];
      // Redis counts the idle time from its delivery, a little before the first attempt: half
      // of claimIdleMs is a bound a slow machine keeps, and a retry at once breaks.
      expect(
        second - first,
        `ms between the attempts at #${n}: a failed entry is taken again only once it has been idle claimIdleMs (${claimIdleMs} ms; XAUTOCLAIM's min-idle-time), not at once`,
      ).toBeGreaterThanOrEqual(claimIdleMs / 2);
    }
  });

  it('creates the group (and the stream) when there is none, and two workers starting at once both join it', async () => {
    const { url, admin } = await startRedis();
    const handled: string[] = [];
    const push: Handle = (entry) => void handled.push(entry.id);
    await Promise.all([
      startWorker(url, push, { consumer: 'w1' }),
      startWorker(url, push, { consumer: 'w2' }),
    ]);
    const groups = await admin.xInfoGroups(KEY);
    expect(
      groups.map((g) => g.name),
      `groups of ${KEY} (one: the second XGROUP CREATE fails with BUSYGROUP, which means "join it")`,
    ).toEqual([GROUP]);
    const ids = await addEntries(admin, 0, 20);
    await eventually(
      () => handled.length >= 20 || undefined,
      'the two workers to handle 20 entries',
      () => `they have handled ${handled.length}`,
    );
    await untilNothingPending(admin);
    expectEachOnce(handled, ids);
  });

  it('closes at once while XREADGROUP is blocked, and leaves no connection open', async () => {
    const { url, admin } = await startRedis();
    const worker = await startWorker(url, () => {}, { consumer: 'w1', blockMs: 60_000 });
    await eventually(
      async () => (await clientList(admin)).some((c) => c.cmd === 'xreadgroup') || undefined,
      'the worker to wait in XREADGROUP … BLOCK',
    );
    await within(
      worker.close(),
      WAIT_MS,
      "close() while XREADGROUP is blocked (the client's close() waits for that reply; destroy() does not)",
    );
    await untilClientCount(admin, 1, "the worker's connection to be closed");
  });
});
