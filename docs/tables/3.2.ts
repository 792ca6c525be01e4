/**
 * Chapter 3.2's measured tables: which section each comes from, and how its --json becomes
 * Markdown. `npm run docs:tables -- 3.2-gil` re-measures one; see docs/tools/tables.ts.
 * Each render also writes the sentence that reads the table, so the words always match the run.
 */
import { markdownTable, type TableSource } from '../tools/tables.ts';

interface Measured<R> {
  section: string;
  cores: number;
  results: R[];
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const onCores = (json: { cores: number }) =>
  `Measured on ${json.cores} logical CPU${json.cores === 1 ? '' : 's'}; your numbers will differ — compare the ratios, not the milliseconds.`;
const byName = <R extends { name: string }>(rows: readonly R[], name: string): R | undefined =>
  rows.find((row) => row.name === name);

interface GilRow {
  name: string;
  wall_ms: number;
  cpu_ms: number;
  cores_used: number;
  speedup: number;
  efficiency?: number;
}

/** Section 3.2.3: the CPU-bound job four ways (cold and warm), then the I/O-bound contrast. */
const gil: TableSource = {
  name: '3.2-gil',
  command: ['chapters/3.2/src/main.ts', '3.2.3', '--json'],
  render(json) {
    const data = json as Measured<GilRow> & { limit: number; workers: number };
    const cpuRows = data.results.filter((r) => r.efficiency !== undefined);
    const ioRows = data.results.filter((r) => r.efficiency === undefined);
    const cpu = markdownTable(
      [
        `primes below ${data.limit.toLocaleString('en')}`,
        'wall ms',
        'cpu ms',
        'cores used',
        'speedup',
        'efficiency',
      ],
      cpuRows.map((r) => [
        r.name,
        fixed(r.wall_ms, 1),
        fixed(r.cpu_ms, 1),
        fixed(r.cores_used, 2),
        `${fixed(r.speedup, 2)}×`,
        fixed(r.efficiency ?? Number.NaN, 2),
      ]),
    );
    const io = markdownTable(
      ['waiting and libuv work', 'wall ms', 'cpu ms', 'cores used', 'speedup'],
      ioRows.map((r) => [
        r.name,
        fixed(r.wall_ms, 1),
        fixed(r.cpu_ms, 1),
        fixed(r.cores_used, 2),
        `${fixed(r.speedup, 2)}×`,
      ]),
    );
    const all = byName(cpuRows, 'Promise.all on the main thread');
    const threads = cpuRows.find((r) => r.name.endsWith('worker threads, warm'));
    const reading =
      all && threads
        ? `In this run Promise.all gave ${fixed(all.speedup, 2)}× on ${fixed(all.cores_used, 2)} cores used, and ${data.workers} warm worker threads gave ${fixed(threads.speedup, 2)}× on ${fixed(threads.cores_used, 2)} cores used (efficiency ${fixed(threads.efficiency ?? Number.NaN, 2)} per worker).`
        : '';
    const sequential = byName(cpuRows, 'sequential');
    const busy =
      sequential && sequential.cores_used < 0.9
        ? ` The machine was shared during this run: even the sequential row kept only ${fixed(sequential.cores_used, 2)} of a core busy, so the speedups measure the neighbours as much as the code.`
        : '';
    return `${cpu}\n\n${io}\n\n${reading}${busy} ${onCores(data)}`;
  },
};

interface LockRow {
  name: string;
  expected: number;
  total: number;
  lost: number;
  lost_pct: number;
  wall_ms: number;
  increments_per_ms: number;
  speedup: number;
}

/** Section 3.2.2, step 1: workers adding to one shared counter with no lock, a mutex, Atomics.add. */
const locks: TableSource = {
  name: '3.2-locks',
  command: ['chapters/3.2/src/main.ts', '3.2.2', '--json'],
  render(json) {
    const data = json as Measured<LockRow>;
    const table = markdownTable(
      ['variant', 'expected', 'got', 'lost', 'ms', 'increments/ms', '× mutex'],
      data.results.map((r) => [
        r.name,
        r.expected,
        r.total,
        `${r.lost} (${fixed(r.lost_pct, 1)} %)`,
        fixed(r.wall_ms, 1),
        r.increments_per_ms,
        `${fixed(r.speedup, 2)}×`,
      ]),
    );
    const noLock = byName(data.results, 'no lock');
    const reading = !noLock
      ? ''
      : noLock.lost > 0
        ? `In this run "no lock" lost ${noLock.lost} increments (${fixed(noLock.lost_pct, 1)} %).`
        : 'In this run "no lock" happened to lose nothing: the threads did not overlap at the wrong moment. Run it again.';
    return `${table}\n\n${reading} ${onCores(data)}`;
  },
};

interface TripRow {
  name: string;
  round_trips: number;
  wall_ms: number;
  us_per_round_trip: number;
}

/** Section 3.2.4, step 3: request/reply round trips to a child process and to a worker thread. */
const roundTrips: TableSource = {
  name: '3.2-round-trips',
  command: ['chapters/3.2/src/main.ts', '3.2.4', '--json'],
  render(json) {
    const data = json as Measured<TripRow>;
    const table = markdownTable(
      ['channel', 'round trips', 'ms', 'µs each'],
      data.results.map((r) => [
        r.name,
        r.round_trips,
        fixed(r.wall_ms, 1),
        fixed(r.us_per_round_trip, 1),
      ]),
    );
    const [child, thread] = data.results;
    const reading =
      child && thread
        ? `In this run a process round trip cost ${fixed(child.us_per_round_trip / thread.us_per_round_trip, 1)}× a thread's.`
        : '';
    return `${table}\n\n${reading} ${onCores(data)}`;
  },
};

interface LatencyRow {
  name: string;
  pings: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  heavy_jobs: number;
}

/** Section 3.2.5, step 1: a light client's pings while another keeps 4 route plans in flight. */
const latency: TableSource = {
  name: '3.2-latency',
  command: ['chapters/3.2/src/main.ts', '3.2.5', '--json'],
  render(json) {
    const data = json as Measured<LatencyRow>;
    const table = markdownTable(
      [
        'run (1 s, a ping every 10 ms)',
        'pings answered',
        'p50 ms',
        'p99 ms',
        'max ms',
        'route plans done',
      ],
      data.results.map((r) => [
        r.name,
        r.pings,
        fixed(r.p50_ms, 2),
        fixed(r.p99_ms, 2),
        fixed(r.max_ms, 2),
        r.heavy_jobs,
      ]),
    );
    const main = byName(data.results, 'flooded, logic on main thread');
    const pool = byName(data.results, 'flooded, logic on worker pool');
    const reading =
      main && pool
        ? `In this run the flooded server answered ${main.pings} pings (p50 ${fixed(main.p50_ms, 1)} ms) with its logic on the main thread, and ${pool.pings} (p50 ${fixed(pool.p50_ms, 1)} ms) with it on the worker pool.`
        : '';
    return `${table}\n\n${reading} ${onCores(data)}`;
  },
};

export const tables: TableSource[] = [gil, locks, roundTrips, latency];
