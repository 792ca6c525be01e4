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
  /** speedup ÷ cores: the share of the whole machine turned into speed. */
  efficiency: number;
  /** cpu ÷ wall: how many cores the variant kept busy (below 1 on one thread = others had the CPU). */
  cores_used: number;
  result: number;
};

export interface CpuOptions {
  /** Count primes below this. */
  limit: number;
  /** Worker threads / child processes to use. */
  workers: number;
  cores: number;
  signal?: AbortSignal;
  /** Called as each row is measured, so a reader sees progress. */
  onRow?: (row: GilRow) => void;
}

const PRIMES_WORKER = new URL('./primes.worker.ts', import.meta.url);
const PRIMES_CHILD = new URL('./primes.child.ts', import.meta.url);

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Runs `fn` `times` times and keeps the fastest: other programs only ever slow a run down. */
async function bestOf<T>(times: number, fn: () => Promise<T> | T): Promise<Timing<T>> {
  let best: Timing<T> | undefined;
  for (let i = 0; i < times; i++) {
    const timing = await measure(fn);
    if (!best || timing.wallMs < best.wallMs) best = timing;
  }
  return best as Timing<T>;
}

/** How many times the repeatable variants run; the table shows the fastest. */
const REPEATS = 2;

/** Builds rows relative to the first one, checking each result before its time is kept. */
export class ResultTable {
  readonly rows: GilRow[] = [];
  constructor(
    private readonly cores: number,
    private readonly onRow?: (row: GilRow) => void,
  ) {}

  add(name: string, timing: Timing<number>, extraCpuMs = 0, expected?: number): GilRow {
    const want = expected ?? this.rows[0]?.result ?? timing.value;
    if (timing.value !== want) throw new Error(`${name} got ${timing.value}, expected ${want}`);
    const baseline = this.rows[0]?.wall_ms ?? timing.wallMs;
    const speedup = baseline / timing.wallMs;
    const row: GilRow = {
      name,
      wall_ms: round(timing.wallMs, 1),
      cpu_ms: round(timing.cpuMs + extraCpuMs, 1),
      speedup: round(speedup),
      efficiency: round(speedup / this.cores),
      cores_used: round((timing.cpuMs + extraCpuMs) / timing.wallMs),
      result: timing.value,
    };
    this.rows.push(row);
    this.onRow?.(row);
    return row;
  }
}

/** Runs one parallel variant twice on the same peers: cold (start-up included), then warm. */
async function coldAndWarm(
  kind: PeerKind,
  ranges: readonly Range[],
  options: CpuOptions,
  table: ResultTable,
) {
  const hands = deal(ranges, options.workers);
  const url = kind === 'thread' ? PRIMES_WORKER : PRIMES_CHILD;
  let peers: Peer[] = [];
  // Children report their own CPU time: this process's cpuUsage() does not include theirs.
  let childCpuMs = 0;
  const runOnce = async () => {
    const answers = await Promise.all(
      peers.map((peer, i) => peer.call<number | { count: number; cpuMs: number }>(hands[i])),
    );
    const counts = answers.map((a) => (typeof a === 'number' ? a : a.count));
    const cpuTotal = sum(answers.map((a) => (typeof a === 'number' ? 0 : a.cpuMs)));
    const extra = cpuTotal - childCpuMs;
    childCpuMs = cpuTotal;
    return { count: sum(counts), extra };
  };
  const label = kind === 'thread' ? 'worker threads' : 'child processes';
  try {
    const cold = await measure(async () => {
      peers = Peer.many(kind, options.workers, url, undefined, {
        label: kind === 'thread' ? 'primes worker' : 'primes child',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return runOnce();
    });
    table.add(
      `${options.workers} ${label}, cold`,
      { ...cold, value: cold.value.count },
      cold.value.extra,
    );
    const warm = await bestOf(REPEATS, runOnce);
    table.add(
      `${options.workers} ${label}, warm`,
      { ...warm, value: warm.value.count },
      warm.value.extra,
    );
  } finally {
    await closeAll(peers);
  }
}

/** Sequential, Promise.all, worker threads and child processes on the same prime count. */
export async function runCpuVariants(options: CpuOptions): Promise<GilRow[]> {
  const table = new ResultTable(options.cores, options.onRow);
  // Several ranges per worker, so dealing them out evens the load.
  const ranges = splitRange(options.limit, Math.max(16, options.workers * 8));
  table.add('sequential', await bestOf(REPEATS, () => countPrimesInRanges(ranges)));
  // Each async function runs to completion before the next starts: there is no await inside
  // the work, so the "concurrency" is only in the bookkeeping.
  const all = await bestOf(REPEATS, async () =>
    sum(await Promise.all(ranges.map(async ([lo, hi]) => countPrimes(lo, hi)))),
  );
  table.add('Promise.all on the main thread', all);
  if (!options.signal?.aborted) await coldAndWarm('thread', ranges, options, table);
  if (!options.signal?.aborted) await coldAndWarm('process', ranges, options, table);
  return table.rows;
}

export interface IoOptions {
  tasks: number;
  waitMs: number;
  /** pbkdf2 iterations per task: CPU work that Node runs on libuv's thread pool. */
  hashIterations: number;
  cores: number;
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
  const waits = new ResultTable(options.cores, options.onRow);
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
  const hashes = new ResultTable(options.cores, options.onRow);
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
