/** 3.2.4's experiments: an IPC queue, memory that is (not) shared, and round-trip costs. */
import { forkTs, onceWithin } from '@course/course-kit';
import { IpcQueue } from './ipc-queue.ts';
import { measure, round } from './measure.ts';
import { closeAll, Peer, type PeerKind } from './peer.ts';
import { state } from './shared-state.ts';

/** The original's Queue sample: the child puts one item, the parent gets it, then joins. */
export async function runQueueDemo(
  signal?: AbortSignal,
): Promise<{ item: unknown; exitCode: number | null }> {
  const child = forkTs(new URL('./queue.child.ts', import.meta.url), [], signal ? { signal } : {});
  child.on('error', () => {}); // an abort kills the child; the exit wait below still settles
  const exited = onceWithin<[number | null]>(child, 'exit', 15_000, 'the queue child to exit');
  const queue = new IpcQueue<unknown>(child, 'parent queue');
  try {
    // get() before join: joining first can deadlock when the child waits to flush a big item.
    const item = await queue.get(15_000);
    const [exitCode] = await exited;
    return { item, exitCode };
  } finally {
    queue.close();
    if (child.exitCode === null && child.signalCode === null) child.kill();
    exited.catch(() => {});
  }
}

export interface MemoryReport {
  childSees: number;
  workerSees: number;
  parentCounter: number;
  sharedCell: number;
}

/** Bumps "the" counter in a child and in a worker; the parent's copy never moves. */
export async function runMemoryDemo(signal?: AbortSignal): Promise<MemoryReport> {
  const options = signal ? { signal } : {};
  const child = Peer.process(new URL('./memory.child.ts', import.meta.url), undefined, {
    label: 'memory child',
    ...options,
  });
  const worker = Peer.thread(new URL('./memory.worker.ts', import.meta.url), undefined, {
    label: 'memory worker',
    ...options,
  });
  const shared = new SharedArrayBuffer(4);
  try {
    const childSees = await child.call<number>(undefined);
    const workerSees = await worker.call<number>(shared);
    return {
      childSees,
      workerSees,
      parentCounter: state.counter,
      sharedCell: Atomics.load(new Int32Array(shared), 0),
    };
  } finally {
    await closeAll([child, worker]);
  }
}

export type RoundTripRow = {
  name: string;
  round_trips: number;
  wall_ms: number;
  us_per_round_trip: number;
};

/** `count` request/reply pairs, one at a time, to a worker thread and to a child process. */
export async function measureRoundTrips(
  count: number,
  signal?: AbortSignal,
): Promise<RoundTripRow[]> {
  const rows: RoundTripRow[] = [];
  const variants: Array<[PeerKind, URL, string]> = [
    ['process', new URL('./echo.child.ts', import.meta.url), 'child process (IPC pipe)'],
    ['thread', new URL('./echo.worker.ts', import.meta.url), 'worker thread (postMessage)'],
  ];
  for (const [kind, url, name] of variants) {
    const options = { label: `echo ${kind}`, ...(signal ? { signal } : {}) };
    const peer =
      kind === 'thread'
        ? Peer.thread(url, undefined, options)
        : Peer.process(url, undefined, options);
    try {
      await peer.ready;
      const payload = { x: 1, y: 2, name: 'player' };
      await peer.call(payload); // warm the path once
      const timing = await measure(async () => {
        for (let i = 0; i < count; i++) {
          const echoed = await peer.call<typeof payload>(payload);
          if (echoed.name !== payload.name)
            throw new Error(`${name} echoed ${JSON.stringify(echoed)}`);
        }
        return count;
      });
      rows.push({
        name,
        round_trips: count,
        wall_ms: round(timing.wallMs, 1),
        us_per_round_trip: round((1000 * timing.wallMs) / count, 1),
      });
    } finally {
      await peer.close();
    }
  }
  return rows;
}
