/**
 * Registries on connections of their own stand for processes serving one chat, against a
 * redis-server of each test's own. The dead holder is a real child process, killed with
 * SIGKILL. Time enters only as TTLs: the tests poll Redis's state (GET, PTTL) and never sleep a
 * fixed time; a claim must survive while its holder lives, and free itself once it is gone.
 */
import type { ChildProcess } from 'node:child_process';
import { studentModule } from '@course/classroom/target';
import { forkTs } from '@course/course-kit';
import { isRunning } from '@course/course-kit/testing/processes';
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NicknameError,
  type NicknameOptions,
  NicknameRegistry,
  NicknameTakenError,
  nicknameKey,
} from './03-unique-nicknames.ts';
import {
  cleanUp,
  clientList,
  eventually,
  later,
  shouldRunRedisTests,
  startRedis,
  untilClientCount,
  WAIT_MS,
} from './grading/redis.ts';

afterEach(cleanUp);

const HOLDER = new URL('./grading/nickname-holder.child.ts', import.meta.url);
const STUDENT = studentModule('./03-unique-nicknames.ts', import.meta.url);

async function connectRegistry(url: string, options?: NicknameOptions): Promise<NicknameRegistry> {
  const registry = await NicknameRegistry.connect(url, options);
  // A test that closes its registry has checked close() itself; here it only must not linger.
  later(() => within(registry.close(), WAIT_MS, 'registry.close()').catch(() => {}));
  return registry;
}

/** What a claim came to: 'ok', 'taken', or the unexpected error's message. */
async function outcome(claim: Promise<void>): Promise<string> {
  try {
    await claim;
    return 'ok';
  } catch (error) {
    return error instanceof NicknameTakenError ? 'taken' : `error: ${(error as Error).message}`;
  }
}

/** Starts the dead-holder-to-be; resolves once it holds the nickname. */
async function startHolder(url: string, room: string, nick: string, ttlMs: number) {
  const child: ChildProcess = forkTs(HOLDER, [STUDENT.href, url, room, nick, String(ttlMs)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  later(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await within(exited, WAIT_MS, 'the holder process to exit');
    if (isRunning(child.pid ?? 0))
      throw new Error(`the holder process ${child.pid} is still running after SIGKILL`);
  });
  const said = await within(
    new Promise<{ claimed?: string; failed?: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { claimed?: string }));
      child.once('exit', (code) => reject(new Error(`the holder process exited (${code})`)));
    }),
    30_000,
    'the holder process to claim its nickname',
  );
  if (said.failed) throw new Error(`the holder process could not claim "${nick}": ${said.failed}`);
  return child;
}

describe.runIf(shouldRunRedisTests())('3.4/03 NicknameRegistry', () => {
  it('gives a nickname to one process only, even when ten claim it at the same moment', async () => {
    const { url } = await startRedis();
    const [a, b] = [await connectRegistry(url), await connectRegistry(url)];
    await a.claim('lobby', 'ann');
    const refused = b.claim('lobby', 'ann');
    await expect(refused).rejects.toBeInstanceOf(NicknameTakenError);
    await expect(refused).rejects.toThrow(/ann.*lobby|lobby.*ann/);
    await b.claim('kitchen', 'ann'); // another room, another name

    const racers = await Promise.all(Array.from({ length: 10 }, () => connectRegistry(url)));
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(racers.map((r) => outcome(r.claim('arena', `p${round}`))));
      expect(
        results.filter((r) => r === 'ok'),
        `winners of "p${round}" among 10 claims at once (one SET … NX decides; a GET then a SET lets several in): ${results.join(', ')}`,
      ).toEqual(['ok']);
      expect(
        results.filter((r) => r !== 'ok' && r !== 'taken'),
        'unexpected errors',
      ).toEqual([]);
    }
  });

  it('sets the claim with a TTL, and the heartbeat keeps it past twice that TTL', async () => {
    const { url, admin } = await startRedis();
    // The heartbeat runs on this test's own thread: a TTL many heartbeats long leaves room for a
    // loaded machine to run it late.
    const ttlMs = 4000;
    const registry = await connectRegistry(url, { ttlMs, heartbeatMs: 150 });
    const claimedAt = Date.now();
    await registry.claim('lobby', 'ann');
    const key = nicknameKey('lobby', 'ann');
    const pttl = await admin.pTTL(key);
    expect(pttl, `PTTL of ${key} (SET … NX PX ttlMs)`).toBeGreaterThan(0);
    expect(pttl, `PTTL of ${key}`).toBeLessThanOrEqual(ttlMs);
    const token = await admin.get(key);

    // Only a renewed claim still exists after 2 × TTL: this waits for that moment while
    // checking, at every look, that the claim is there and still the same one.
    await eventually(async () => {
      const now = await admin.get(key);
      if (now !== token)
        throw new Error(
          `${Date.now() - claimedAt} ms after the claim its key holds ${JSON.stringify(now)} instead of ${JSON.stringify(token)}, though its holder is alive: renew the TTL every heartbeatMs (PEXPIRE while the value is still yours)`,
        );
      return Date.now() - claimedAt > 2 * ttlMs || undefined;
    }, 'the claim to outlive twice its TTL');
    expect(registry.holds('lobby', 'ann'), "holds('lobby', 'ann')").toBe(true);
  });

  it("frees a dead holder's nickname within its TTL, for another process to take", async () => {
    const { url, admin } = await startRedis();
    const ttlMs = 3000;
    const holder = await startHolder(url, 'lobby', 'ghost', ttlMs);
    const key = nicknameKey('lobby', 'ghost');
    const other = await connectRegistry(url, { ttlMs: 10_000 });
    expect(await outcome(other.claim('lobby', 'ghost')), 'a claim while the holder lives').toBe(
      'taken',
    );

    holder.kill('SIGKILL');
    await eventually(() => !isRunning(holder.pid ?? 0) || undefined, 'the holder to be dead');
    const pttl = await admin.pTTL(key);
    expect(
      pttl,
      `PTTL of ${key} when its holder died (-1: no expiry, it would stay taken for ever)`,
    ).toBeGreaterThan(0);
    expect(pttl, `PTTL of ${key} when its holder died`).toBeLessThanOrEqual(ttlMs);
    let last = '';
    await eventually(
      async () => {
        last = await outcome(other.claim('lobby', 'ghost'));
        return last === 'ok' || undefined;
      },
      'another process to claim the dead holder\'s "ghost"',
      () => `the last claim came to: ${last}`,
    );
    expect(other.holds('lobby', 'ghost')).toBe(true);
  });

  it('never renews a claim that is no longer its own', async () => {
    const { url, admin } = await startRedis();
    const a = await connectRegistry(url, { ttlMs: 1000, heartbeatMs: 50 });
    await a.claim('lobby', 'ann');
    const key = nicknameKey('lobby', 'ann');
    // As if a's claim had expired while a was cut off, and another process had taken the name
    // meanwhile: one command, so a's heartbeat never sees the key missing in between.
    await admin.set(key, 'other', { PX: 60_000 });

    await eventually(
      () => !a.holds('lobby', 'ann') || undefined,
      "a's heartbeat to find that its claim is gone (holds() false)",
    );
    expect(await admin.get(key), "the key after a's heartbeats: still the other's").toBe('other');
    expect(
      await admin.pTTL(key),
      "PTTL of the other's key: a's heartbeat must not renew a key that holds another token",
    ).toBeGreaterThan(30_000);
    expect(await a.release('lobby', 'ann'), "a.release() of a name that is another's now").toBe(
      false,
    );
    expect(await admin.get(key), "the key after a's release: still the other's").toBe('other');
  });

  it('never deletes a claim that is no longer its own, even before its heartbeat notices', async () => {
    const { url, admin } = await startRedis();
    // A heartbeat this slow does not run during the test: release() alone must see the change.
    const a = await connectRegistry(url, { ttlMs: 60_000, heartbeatMs: 30_000 });
    await a.claim('lobby', 'ann');
    const key = nicknameKey('lobby', 'ann');
    await admin.set(key, 'other', { PX: 60_000 });
    expect(
      await a.release('lobby', 'ann'),
      "a.release() after another process took the key: delete it only while it holds a's own token (compare and delete in one script)",
    ).toBe(false);
    expect(await admin.get(key), "the key after a's release: still the other's").toBe('other');
    expect(a.holds('lobby', 'ann'), "holds('lobby', 'ann') after the release").toBe(false);
  });

  it('gives a name back at once on release; close() releases the rest and closes its connection', async () => {
    const { url, admin } = await startRedis();
    const [a, b] = [await connectRegistry(url), await connectRegistry(url)];
    const baseline = (await clientList(admin)).length;
    await a.claim('lobby', 'ann');
    await a.claim('lobby', 'bea');
    expect(await a.release('lobby', 'ann'), 'release of a name it holds').toBe(true);
    expect(a.holds('lobby', 'ann')).toBe(false);
    expect(await admin.exists(nicknameKey('lobby', 'ann')), 'the released key').toBe(0);
    expect(await outcome(b.claim('lobby', 'ann')), 'b claims the released name').toBe('ok');

    await within(a.close(), WAIT_MS, 'close()');
    expect(await admin.exists(nicknameKey('lobby', 'bea')), 'a key left after close()').toBe(0);
    expect(await admin.exists(nicknameKey('lobby', 'ann')), "b's key").toBe(1);
    await untilClientCount(admin, baseline - 1, "the closed registry's connection to be gone");
  });

  it('refuses empty, overlong and control-character names with NicknameError, and keeps (room, nick) pairs apart', async () => {
    const { url, admin } = await startRedis();
    const registry = await connectRegistry(url);
    for (const [room, nick] of [
      ['lobby', ''],
      ['lobby', 'x'.repeat(33)],
      ['lobby', 'ann\nbea'],
      ['lobby', 'esc\u001b[2J'],
      ['', 'ann'],
      ['lobby\r\n', 'ann'],
    ] as const) {
      await expect(
        registry.claim(room, nick),
        `claim(${JSON.stringify(room)}, ${JSON.stringify(nick)})`,
      ).rejects.toBeInstanceOf(NicknameError);
    }
    expect(await admin.dbSize(), 'keys written for refused names').toBe(0);
    await registry.claim('lobby', 'x'.repeat(32));

    await registry.claim('a:b', 'c');
    expect(
      await outcome(registry.claim('a', 'b:c')),
      'room "a", nick "b:c" after room "a:b", nick "c" (a different pair: its own key)',
    ).toBe('ok');
    expect(nicknameKey('a:b', 'c')).not.toBe(nicknameKey('a', 'b:c'));
  });
});
