/**
 * The variants of the GIL lesson (3.2.3), each checked against the sequential answer before
 * its time is reported — a fast wrong answer is not a result.
 */
import { pbkdf2 } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { measure, round, type Timing } from './measure.ts';
import { closeAll, Peer, type PeerKind } from './peer.ts';
import { countPrimes, countPrimesInRanges, deal, type Range, splitRange } from './primes.ts';

export type GilRow = {
  name: string;
  wall_ms: number;
  cpu_ms: number;
  /** Against the first row of the same table. */
  speedup: number;
  /**
   * CPU rows only: speedup ÷ the threads or processes the variant computed on (1 for the
   * sequential and Promise.all rows). 1.0 means each worker was worth one whole baseline thread.
   */
  efficiency?: number;
  /** cpu ÷ wall: how many cores the variant kept busy (below 1 on one thread = others had the CPU). */
  cores_used: number;
  result: number;
};

export interface CpuOptions {
  /** Count primes below this. */
  limit: number;
  /** Worker threads / child processes to use. */
  workers: number;
  signal?: AbortSignal;
  /** Called as each row is measured, so a reader sees progress. */
  onRow?: (row: GilRow) => void;
  /** Called after each cold start and each warm round. */
  onProgress?: (text: string) => void;
}

const PRIMES_WORKER = new URL('./primes.worker.ts', import.meta.url);
const PRIMES_CHILD = new URL('./primes.child.ts', import.meta.url);

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Warm rounds per variant; the table shows each variant's median round. */
const ROUNDS = 3;

/** One timed run; `extraCpuMs` is CPU time spent in child processes during it. */
type Sample = { timing: Timing<number>; extraCpuMs: number };

function median(samples: readonly Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.timing.wallMs - b.timing.wallMs);
  return sorted[Math.floor(sorted.length / 2)] as Sample;
}

/** Builds rows relative to the first one, checking each result before its time is kept. */
export class ResultTable {
  readonly rows: GilRow[] = [];
  constructor(private readonly onRow?: (row: GilRow) => void) {}

  /**
   * `workers`: how many threads or processes computed this row, for its efficiency; leave it
   * out for rows that mostly wait (their speedup comes from overlapping waits, not from CPUs).
   */
  add(name: string, timing: Timing<number>, extraCpuMs = 0, workers?: number): GilRow {
    const want = this.rows[0]?.result ?? timing.value;
    if (timing.value !== want) throw new Error(`${name} got ${timing.value}, expected ${want}`);
    const baseline = this.rows[0]?.wall_ms ?? timing.wallMs;
    const speedup = baseline / timing.wallMs;
    const row: GilRow = {
      name,
      wall_ms: round(timing.wallMs, 1),
      cpu_ms: round(timing.cpuMs + extraCpuMs, 1),
      speedup: round(speedup),
      ...(workers === undefined ? {} : { efficiency: round(speedup / workers) }),
      cores_used: round((timing.cpuMs + extraCpuMs) / timing.wallMs),
      result: timing.value,
    };
    this.rows.push(row);
    this.onRow?.(row);
    return row;
  }
}

interface Pool {
  peers: Peer[];
  /** One job: every peer counts its hand of ranges. */
  run(): Promise<Sample>;
}

/** N peers of one kind, each counting the ranges dealt to it. */
function startPool(kind: PeerKind, ranges: readonly Range[], options: CpuOptions): Pool {
  const hands = deal(ranges, options.workers);
  const peers = Peer.many(
    kind,
    options.workers,
    kind === 'thread' ? PRIMES_WORKER : PRIMES_CHILD,
    undefined,
    {
      label: kind === 'thread' ? 'primes worker' : 'primes child',
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  // Children report their own CPU time: this process's cpuUsage() does not include theirs.
  let childCpuMs = 0;
  const run = async (): Promise<Sample> => {
    let extra = 0;
    const timing = await measure(async () => {
      const answers = await Promise.all(
        peers.map((peer, i) => peer.call<number | { count: number; cpuMs: number }>(hands[i])),
      );
      const cpuTotal = sum(answers.map((a) => (typeof a === 'number' ? 0 : a.cpuMs)));
      extra = cpuTotal - childCpuMs;
      childCpuMs = cpuTotal;
      return sum(answers.map((a) => (typeof a === 'number' ? a : a.count)));
    });
    return { timing, extraCpuMs: extra };
  };
  return { peers, run };
}

/**
 * Sequential, Promise.all, worker threads and child processes on the same prime count.
 * Cold runs happen once (start-up included). Warm rounds are interleaved — one of each
 * variant per round — so a burst of background load hits every variant alike.
 */
export async function runCpuVariants(options: CpuOptions): Promise<GilRow[]> {
  // Several ranges per worker, so dealing them out evens the load.
  const ranges = splitRange(options.limit, Math.max(16, options.workers * 8));
  const onMainThread = async (run: () => Promise<number> | number): Promise<Sample> => ({
    timing: await measure(run),
    extraCpuMs: 0,
  });
  const variants: Array<[name: string, run: () => Promise<Sample>]> = [
    ['sequential', () => onMainThread(() => countPrimesInRanges(ranges))],
    // No await inside the work: each async function runs to completion before the next
    // starts, so the "concurrency" is only in the bookkeeping.
    [
      'Promise.all on the main thread',
      () =>
        onMainThread(async () =>
          sum(await Promise.all(ranges.map(async ([lo, hi]) => countPrimes(lo, hi)))),
        ),
    ],
  ];
  const cold = new Map<string, Sample>();
  const pools: Peer[] = [];
  try {
    for (const kind of ['thread', 'process'] as const) {
      const noun = kind === 'thread' ? 'worker thread' : 'child process';
      const label = `${options.workers} ${noun}${options.workers === 1 ? '' : noun.endsWith('s') ? 'es' : 's'}`;
      let pool: Pool | undefined;
      // Cold = starting the peers plus their first job, on one clock.
      const outer = await measure(async () => {
        pool = startPool(kind, ranges, options);
        pools.push(...pool.peers);
        return pool.run();
      });
      options.onProgress?.(`${label} started and ran once in ${Math.round(outer.wallMs)} ms`);
      cold.set(`${label}, cold`, {
        timing: { ...outer, value: outer.value.timing.value },
        extraCpuMs: outer.value.extraCpuMs,
      });
      const warmRun = (pool as Pool).run;
      variants.push([`${label}, warm`, warmRun]);
    }
    const warm = new Map<string, Sample[]>();
    for (let round = 1; round <= ROUNDS && !options.signal?.aborted; round++) {
      for (const [name, run] of variants) warm.set(name, [...(warm.get(name) ?? []), await run()]);
      options.onProgress?.(`warm round ${round} of ${ROUNDS} done`);
    }
    // Every run's answer is checked, not only the ones whose times end up in the table.
    const reference = warm.get('sequential')?.[0]?.timing.value;
    for (const [name, samples] of [...warm, ...[...cold].map(([n, c]) => [n, [c]] as const)])
      for (const sample of samples)
        if (sample.timing.value !== reference)
          throw new Error(
            `${name} counted ${sample.timing.value} primes, sequential counted ${reference}`,
          );
    const table = new ResultTable(options.onRow);
    for (const name of [
      'sequential',
      'Promise.all on the main thread',
      ...[...cold.keys()].flatMap((c) => [c, c.replace(', cold', ', warm')]),
    ]) {
      const sample = cold.get(name) ?? median(warm.get(name) ?? []);
      const workers = cold.has(name) || name.endsWith(', warm') ? options.workers : 1;
      table.add(name, sample.timing, sample.extraCpuMs, workers);
    }
    return table.rows;
  } finally {
    await closeAll(pools);
  }
}

export interface IoOptions {
  tasks: number;
  waitMs: number;
  /** pbkdf2 iterations per task: CPU work that Node runs on libuv's thread pool. */
  hashIterations: number;
  onRow?: (row: GilRow) => void;
}

const pbkdf2Async = promisify(pbkdf2);

/** Waits and libuv-pool work: where one JavaScript thread already overlaps everything. */
export async function runIoVariants(
  options: IoOptions,
): Promise<{ waits: GilRow[]; hashes: GilRow[] }> {
  const tasks = Array.from({ length: options.tasks }, (_, i) => i);
  const wait = async () => {
    await sleep(options.waitMs);
    return 1;
  };
  const waits = new ResultTable(options.onRow);
  waits.add(
    `${options.tasks} waits of ${options.waitMs} ms, one after another`,
    await measure(async () => {
      let done = 0;
      for (const _ of tasks) done += await wait();
      return done;
    }),
  );
  waits.add(
    `${options.tasks} waits of ${options.waitMs} ms, Promise.all`,
    await measure(async () => sum(await Promise.all(tasks.map(wait)))),
  );

  const hash = async (i: number) => {
    const key = await pbkdf2Async(`password ${i}`, 'salt', options.hashIterations, 32, 'sha256');
    return key.length === 32 ? 1 : 0;
  };
  const hashes = new ResultTable(options.onRow);
  hashes.add(
    `${options.tasks} pbkdf2 hashes, one after another`,
    await measure(async () => {
      let done = 0;
      for (const i of tasks) done += await hash(i);
      return done;
    }),
  );
  hashes.add(
    `${options.tasks} pbkdf2 hashes, Promise.all (libuv pool)`,
    await measure(async () => sum(await Promise.all(tasks.map(hash)))),
  );
  return { waits: waits.rows, hashes: hashes.rows };
}
