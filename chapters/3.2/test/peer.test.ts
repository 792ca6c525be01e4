import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { WorkerExitedError } from '@course/course-kit/workers';
import { describe, expect, it } from 'vitest';
import { WorkerFailedError } from '../src/errors.ts';
import { closeAll, Peer } from '../src/peer.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('Peer', () => {
  it('rejects a request with the error the worker threw', async () => {
    const peer = Peer.thread(fixture('throws.worker.ts'), undefined, { label: 'rules worker' });
    try {
      const failure = await within(
        peer.call('e2e5').catch((e: unknown) => e),
        10_000,
        'the rules worker to answer',
      );
      expect(failure).toBeInstanceOf(WorkerFailedError);
      expect((failure as Error).message).toBe('rules worker failed: illegal move e2e5');
    } finally {
      await peer.close();
    }
  });

  it.each([
    ['a thrown value String() cannot convert', 'plain', 'odd failed: [object Object]'],
    [
      'an Error whose message getter throws',
      'getter',
      'odd failed: an Error whose fields cannot be read',
    ],
  ])('reports %s as a failure, and the worker lives on', async (_what, request, message) => {
    const peer = Peer.thread(fixture('throws-unprintable.worker.ts'), undefined, { label: 'odd' });
    try {
      for (const turn of ['first', 'second']) {
        const failure = await within(
          peer.call(request).catch((e: unknown) => e),
          10_000,
          `the odd worker to answer its ${turn} call`,
        );
        expect(failure).toBeInstanceOf(WorkerFailedError);
        expect((failure as Error).message).toBe(message);
      }
      expect(peer.alive).toBe(true);
    } finally {
      await peer.close();
    }
  });

  it.each([
    ['thread', () => Peer.thread(new URL('../src/echo.worker.ts', import.meta.url))],
    ['process', () => Peer.process(new URL('../src/echo.child.ts', import.meta.url))],
  ] as const)(
    'a %s peer refuses a payload structured clone cannot carry, leaving nothing pending, and carries a bigint and a Map',
    async (kind, start) => {
      // Over JSON a function would arrive as undefined and be "answered": a process peer must
      // use the same structured clone as a thread, and refuse what it cannot carry.
      const peer = start();
      try {
        const refused = await within(
          peer
            .call(() => 'a function')
            .then(
              (value) => `answered ${String(value)}`,
              (e: unknown) => e,
            ),
          10_000,
          `the ${kind} peer to refuse the uncloneable request`,
        );
        expect(refused).toBeInstanceOf(Error);
        expect((refused as Error).message).toMatch(/could not be cloned/);
        expect(peer.pendingCalls).toBe(0);
        const rich = { big: 10n, map: new Map([['k', new Date(0)]]) };
        expect(await within(peer.call(rich), 10_000, `the ${kind} echo to answer`)).toEqual(rich);
      } finally {
        await peer.close();
      }
    },
  );

  it('rejects a pending request with the exit code when a worker thread exits', async () => {
    const peer = Peer.thread(fixture('exits.worker.ts'), undefined, { label: 'quitter' });
    const failure = await within(
      peer.call('go').catch((e: unknown) => e),
      10_000,
      'the quitter worker to exit',
    );
    expect(failure).toBeInstanceOf(WorkerExitedError);
    expect((failure as Error).message).toBe('quitter exited with code 3 before answering');
    await peer.close();
  });

  it('reports a worker that throws while starting instead of waiting for it forever', async () => {
    const peer = Peer.thread(fixture('broken-start.worker.ts'), undefined, { label: 'map loader' });
    const failure = await within(
      peer.call('load').catch((e: unknown) => e),
      10_000,
      'the map loader to fail',
    );
    expect(failure).toBeInstanceOf(WorkerFailedError);
    expect((failure as Error).message).toContain('map loader failed: map file missing');
    await peer.close();
  });

  it('rejects a pending request with the exit code when a child process exits', async () => {
    const peer = Peer.process(fixture('exits.child.ts'), undefined, { label: 'child quitter' });
    const failure = await within(
      peer.call('go').catch((e: unknown) => e),
      10_000,
      'the child quitter to exit',
    );
    expect(failure).toBeInstanceOf(WorkerExitedError);
    expect((failure as WorkerExitedError).exitCode).toBe(4);
    expect((failure as Error).message).toBe('child quitter exited with code 4 before answering');
  });

  it('ends every child and thread when the signal aborts, settling their requests', async () => {
    const controller = new AbortController();
    const peers = [
      ...Peer.many('process', 2, fixture('slow.child.ts'), undefined, {
        signal: controller.signal,
      }),
      Peer.thread(fixture('throws.worker.ts'), undefined, { signal: controller.signal }),
    ];
    await within(
      Promise.all(peers.map((p) => p.ready)),
      15_000,
      'two slow children and a worker to start',
    );
    const pids = peers.flatMap((p) => (p.pid ? [p.pid] : []));
    expect(pids).toHaveLength(2);
    const pending = peers.slice(0, 2).map((p) => p.call('never answered').catch((e: unknown) => e));
    controller.abort();
    const failures = await within(Promise.all(pending), 10_000, 'the aborted requests to settle');
    for (const failure of failures) expect(failure).toBeInstanceOf(WorkerExitedError);
    await until(
      () => pids.every((pid) => !isRunning(pid)),
      5_000,
      `children ${pids.join(', ')} to be gone`,
    );
  });

  it('closes all peers even when one of them has already died', async () => {
    const peers = [Peer.thread(fixture('exits.worker.ts')), Peer.process(fixture('slow.child.ts'))];
    await within(Promise.all(peers.map((p) => p.ready)), 15_000, 'a worker and a child to start');
    await peers[0]?.call('go').catch(() => {});
    const pid = peers[1]?.pid as number;
    await within(closeAll(peers), 10_000, 'closeAll to end both peers');
    expect(isRunning(pid)).toBe(false);
  });
});
