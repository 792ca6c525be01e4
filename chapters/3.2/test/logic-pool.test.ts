import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import { WorkerExitedError, WorkerFailedError } from '../src/errors.ts';
import { LogicPool } from '../src/logic-pool.ts';
import { Peer } from '../src/peer.ts';

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

  it("sends calls to the live worker once a crashed worker's replacement has failed to load", async () => {
    const gate = new SharedArrayBuffer(4); // the fixture's hold gate, unused here
    const modules = [
      new URL('./fixtures/logic-under-test.worker.ts', import.meta.url), // crashes on seed -1
      new URL('../src/echo.worker.ts', import.meta.url),
      new URL('./fixtures/broken-start.worker.ts', import.meta.url), // the replacement
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
        pool.call({ seed: -1, size: 10 }).catch((e: unknown) => e),
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
      for (const seed of [1, 2, 3]) {
        expect(await within(pool.call({ seed }), 20_000, `plan ${seed}`)).toEqual({ seed });
      }
      expect(peers.map((peer) => peer.alive)).toEqual([false, true, false]);
    } finally {
      await pool.close();
    }
  });

  it('starts no replacement for a worker that close() ended mid-call', async () => {
    const gate = new SharedArrayBuffer(4); // never opened: the call stays in flight
    const peers: Peer[] = [];
    const pool = new LogicPool(1, (label) => {
      const peer = Peer.thread(
        new URL('./fixtures/logic-under-test.worker.ts', import.meta.url),
        gate,
        { label },
      );
      peers.push(peer);
      return peer;
    });
    await within(pool.ready(), 20_000, 'the worker to start');
    const held = pool.call({ seed: -2, size: 10 }).catch((e: unknown) => e);
    await until(() => peers[0]?.pendingCalls === 1, 10_000, 'the held call to reach the worker');
    await within(pool.close(), 10_000, 'the pool to close with a call in flight');
    expect(await held).toBeInstanceOf(WorkerExitedError);
    expect(peers).toHaveLength(1);
  });
});
