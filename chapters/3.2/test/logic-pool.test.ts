import { until, within } from '@course/course-kit/testing/waits';
import { WorkerExitedError } from '@course/course-kit/workers';
import { describe, expect, it } from 'vitest';
import { WorkerFailedError } from '../src/errors.ts';
import { type Backoff, LogicPool } from '../src/logic-pool.ts';
import { Peer } from '../src/peer.ts';

/**
 * A one-worker pool of a fixture worker (logic-under-test by default, whose gate stays
 * shut), and every peer it started, replacements included.
 */
function fixturePool(
  module = 'logic-under-test.worker.ts',
  backoff?: Backoff,
): { pool: LogicPool; peers: Peer[] } {
  const gate = new SharedArrayBuffer(4);
  const peers: Peer[] = [];
  const start = (label: string) => {
    const peer = Peer.thread(new URL(`./fixtures/${module}`, import.meta.url), gate, { label });
    peers.push(peer);
    return peer;
  };
  return { pool: new LogicPool(1, start, backoff), peers };
}

describe('LogicPool', () => {
  it('closes the workers that started when another cannot load, so none outlives the failure', async () => {
    const started: Peer[] = [];
    const modules = [
      new URL('../src/echo.worker.ts', import.meta.url),
      new URL('./fixtures/broken-start.worker.ts', import.meta.url),
    ];
    const pool = new LogicPool(2, (label) => {
      const peer = Peer.thread(modules[started.length] as URL, undefined, { label });
      started.push(peer);
      return peer;
    });
    const failure = await within(
      pool.ready().catch((e: unknown) => e),
      20_000,
      'a pool with one broken worker to report it',
    );
    expect(failure).toBeInstanceOf(WorkerFailedError);
    expect((failure as Error).message).toBe('game-logic worker 2 failed: map file missing');
    expect(started.map((peer) => peer.alive)).toEqual([false, false]);
  });

  it("sends calls to the live worker while a crashed worker's replacement fails to load, and starts it again later", async () => {
    const gate = new SharedArrayBuffer(4); // the fixture's hold gate, unused here
    const modules = [
      new URL('./fixtures/logic-under-test.worker.ts', import.meta.url), // crashes on map -1
      new URL('../src/echo.worker.ts', import.meta.url),
      new URL('./fixtures/broken-start.worker.ts', import.meta.url), // the replacement
      new URL('../src/echo.worker.ts', import.meta.url), // its retry, after a back-off
    ];
    const peers: Peer[] = [];
    const pool = new LogicPool(2, (label) => {
      const peer = Peer.thread(modules[peers.length] as URL, gate, { label });
      peers.push(peer);
      return peer;
    });
    try {
      await within(pool.ready(), 20_000, 'two workers to start');
      const crash = await within(
        pool.call({ map: -1, size: 10 }).catch((e: unknown) => e),
        20_000,
        'the crashing plan to fail',
      );
      expect(crash).toBeInstanceOf(WorkerExitedError);
      const replacement = peers[2] as Peer;
      await within(
        replacement.ready.catch(() => {}),
        20_000,
        'the replacement to fail loading',
      );
      for (const map of [1, 2, 3]) {
        expect(await within(pool.call({ map }), 20_000, `plan ${map}`)).toEqual({ map });
      }
      await until(
        () => peers[3]?.started === true,
        10_000,
        'the failed replacement to be started again and load',
      );
      expect(peers.map((peer) => peer.alive)).toEqual([false, true, false, true]);
    } finally {
      await pool.close();
    }
  });

  it('replaces a worker that exits between calls, before any call notices', async () => {
    const { pool, peers } = fixturePool();
    try {
      await within(pool.ready(), 20_000, 'the worker to start');
      // Map -3 is answered, then the worker exits on its own.
      expect(await within(pool.call({ map: -3, size: 10 }), 10_000, 'the answer')).toBeTypeOf(
        'number',
      );
      await until(
        () => peers[1]?.started === true,
        10_000,
        'a replacement for the worker that exited between calls',
      );
      expect(peers.map((peer) => peer.alive)).toEqual([false, true]);
    } finally {
      await pool.close();
    }
  });

  it('waits out a back-off before restarting a worker that died on its own before any call', async () => {
    // A back-off no test run reaches: a restart seen here would have been immediate.
    const { pool, peers } = fixturePool('dies-after-start.worker.ts', {
      first: 600_000,
      max: 600_000,
    });
    try {
      const first = peers[0] as Peer;
      await within(first.stopped, 10_000, 'the worker to die on its own');
      expect(first.started).toBe(true);
      for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
      expect(peers).toHaveLength(1);
    } finally {
      await within(pool.close(), 10_000, 'the pool to close while a restart waits');
    }
  });

  it('starts no replacement for a worker that close() ended mid-call', async () => {
    const { pool, peers } = fixturePool(); // its gate is never opened: the call stays in flight
    await within(pool.ready(), 20_000, 'the worker to start');
    const held = pool.call({ map: -2, size: 10 }).catch((e: unknown) => e);
    await until(() => peers[0]?.pendingCalls === 1, 10_000, 'the held call to reach the worker');
    await within(pool.close(), 10_000, 'the pool to close with a call in flight');
    expect(await held).toBeInstanceOf(WorkerExitedError);
    expect(peers).toHaveLength(1);
  });
});
