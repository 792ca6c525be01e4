/**
 * A worker thread is never terminated while it is still loading its module (that can crash the
 * whole process on Node 20). The fixture holds its load in a top-level await until the test
 * says 'go', so "still loading" is certain, not a matter of timing.
 */
import { BroadcastChannel, type Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startTsWorker } from '../src/spawn-ts.ts';
import { within } from '../src/testing/waits.ts';
import { firstMessageOrExit, startWorker, terminateWhenLoaded } from '../src/workers/index.ts';
import type { HeldLoad } from './fixtures-held-load.worker.ts';

const FIXTURE = new URL('./fixtures-held-load.worker.ts', import.meta.url);
let channels = 0;

/** A fixture's channel: `loading` resolves once the fixture is held; go() lets it go on. */
function holdChannel() {
  const name = `held-load-${process.pid}-${++channels}`;
  const channel = new BroadcastChannel(name);
  const loading = new Promise((resolve) => {
    channel.onmessage = resolve;
  });
  return {
    name,
    held: () => within(loading, 20_000, 'the worker to start loading'),
    go: () => channel.postMessage('go'),
    close: () => channel.close(),
  };
}

function startHeld(mode: HeldLoad['mode'], channel: string): Worker {
  const data: HeldLoad = { channel, mode };
  return startTsWorker(FIXTURE, data);
}

describe('ending a worker thread that is still loading', () => {
  it("startWorker's kill() lets a loading thread finish loading and say ready, then ends it", async () => {
    const hold = holdChannel();
    const seen: string[] = [];
    let markExited: () => void = () => {};
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const data: HeldLoad = { channel: hold.name, mode: 'link' };
    const link = startWorker(
      'thread',
      FIXTURE,
      {
        ready: () => seen.push('ready'),
        message: (message) => seen.push(`message ${String(message)}`),
        exit: (code) => {
          seen.push(`exit ${code}`);
          markExited();
        },
      },
      { data },
    );
    try {
      await hold.held();
      link.kill();
      hold.go();
      await within(exited, 20_000, 'the killed thread to exit');
      // Terminated at kill() it would never have said ready: ['exit 1'].
      expect(seen).toEqual(['ready', 'exit 1']);
    } finally {
      hold.go();
      link.kill();
      hold.close();
    }
  });

  it('terminateWhenLoaded waits for a raw worker’s first message before terminating it', async () => {
    const hold = holdChannel();
    const worker = startHeld('raw', hold.name);
    const loaded = firstMessageOrExit(worker);
    const messages: unknown[] = [];
    worker.on('message', (message) => messages.push(message));
    try {
      await hold.held();
      const ending = terminateWhenLoaded(worker, loaded);
      hold.go();
      await within(ending, 20_000, 'terminateWhenLoaded to end the worker');
      expect(messages).toEqual(['ready']);
      expect(worker.threadId).toBe(-1); // stopped
    } finally {
      hold.go();
      hold.close();
      await worker.terminate();
    }
  });

  it('a worker that dies while loading ends the wait at once, not after the grace period', async () => {
    const hold = holdChannel();
    const worker = startHeld('throw', hold.name);
    const loaded = firstMessageOrExit(worker);
    const errors: Error[] = [];
    worker.on('error', (error) => errors.push(error));
    try {
      await hold.held();
      // A grace no test run reaches: only the worker's exit can end this wait in time.
      const ending = terminateWhenLoaded(worker, loaded, 600_000);
      hold.go();
      await within(ending, 20_000, 'terminateWhenLoaded to return once the worker died');
      expect(errors.map((error) => error.message)).toEqual(['failed while loading']);
    } finally {
      hold.go();
      hold.close();
      await worker.terminate();
    }
  });
});
