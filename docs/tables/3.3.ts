/**
 * Chapter 3.3's measured tables: which sample each comes from, and how its --json becomes
 * Markdown. `npm run docs:tables -- 3.3-pools` re-measures one; see docs/tools/tables.ts.
 */
import { markdownTable, type TableSource } from '../tools/tables.ts';

interface Measured<R> {
  section: string;
  cores: number;
  results: R[];
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const onCores = (json: { cores: number }) =>
  `Measured on ${json.cores} logical CPU${json.cores === 1 ? '' : 's'}; compare the ratios, not the milliseconds.`;

/** Section 3.3.1, step 3: fib(27) jobs on one thread, then on a 2-worker pool of each kind. */
const pools: TableSource = {
  name: '3.3-pools',
  command: ['chapters/3.3/src/main.ts', '3.3.1', '--jobs', '120', '--json'],
  render(json) {
    const data = json as Measured<{ name: string; ms: number; serialMs: number; speedup: number }>;
    const table = markdownTable(
      ['120 × fib(27) on', 'one thread (ms)', '2-worker pool (ms)', 'speedup'],
      data.results.map((r) => [
        r.name,
        fixed(r.serialMs, 0),
        fixed(r.ms, 0),
        `×${fixed(r.speedup, 2)}`,
      ]),
    );
    return `${table}\n\n${onCores(data)}`;
  },
};

/** Section 3.3.2, step 1: the first 2,000,000 Fibonacci numbers (mod a prime) summed three ways. */
const lazyEager: TableSource = {
  name: '3.3-lazy-eager',
  command: ['chapters/3.3/src/main.ts', '3.3.2', '--json'],
  render(json) {
    const data = json as Measured<{ name: string; ms: number; peakHeapMiB: number }>;
    const loop = data.results.find((r) => r.name === 'plain loop')?.ms ?? Number.NaN;
    const table = markdownTable(
      ['sum of 2,000,000 values', 'ms', '× plain loop', 'peak heap growth (MiB)'],
      data.results.map((r) => [
        r.name,
        fixed(r.ms, 1),
        fixed(r.ms / loop, 2),
        fixed(r.peakHeapMiB, 1),
      ]),
    );
    return `${table}\n\n${onCores(data)}`;
  },
};

interface PoolBenchRow {
  name: string;
  tinyTasksPerSec: number;
  tinyVsPiscina: number;
  cpuMs: number;
  cpuSpeedup: number;
  cpuVsRawThreads: number;
}

function poolBenchTable(data: Measured<PoolBenchRow>, tiny: number, cpu: number): string {
  const table = markdownTable(
    [
      'variant (2 workers)',
      `${tiny.toLocaleString('en')} tiny tasks: tasks/s`,
      '× piscina',
      `${cpu} × ~1 ms: ms`,
      'speedup over one thread',
      '× raw threads',
    ],
    data.results.map((r) => [
      r.name,
      r.tinyTasksPerSec,
      fixed(r.tinyVsPiscina, 2),
      fixed(r.cpuMs, 0),
      fixed(r.cpuSpeedup, 2),
      fixed(r.cpuVsRawThreads, 2),
    ]),
  );
  return `${table}\n\n${onCores(data)}`;
}

/**
 * One line that reads the ~1 ms column of a run: how close the pools came to the speedup the
 * cores allow, and, when they fell far short, what the raw worker_threads row says about why.
 */
function readSpeedups(data: Measured<PoolBenchRow>): string {
  const speedups = data.results.map((r) => r.cpuSpeedup);
  const range = `×${fixed(Math.min(...speedups), 2)}–×${fixed(Math.max(...speedups), 2)}`;
  const ideal = Math.min(data.cores, 2); // two workers use two cores at most
  const slowestSend = Math.round(1e6 / Math.min(...data.results.map((r) => r.tinyTasksPerSec)));
  const cheap = `a ~1 ms task is long next to what it costs to send and answer (at most ${slowestSend} µs here, from the tiny-task column)`;
  if (Math.max(...speedups) >= 0.75 * ideal) {
    const behind = data.results.filter((r) => r.cpuVsRawThreads < 0.8);
    const names = behind.map((r) => `${r.name} at ×${fixed(r.cpuVsRawThreads, 2)} of it`);
    const lagging =
      behind.length === 0
        ? ''
        : ` A pool well below raw worker_threads (${names.join(', ')}) spent the difference on its own scheduling, or was unlucky: a second run tells which.`;
    return `On this run the pools ran the ~1 ms job ${range} as fast as one thread: the best came close to the ×${ideal} that ${ideal} free core${ideal === 1 ? '' : 's'} allow, since each worker had a core of its own and ${cheap}.${lagging}`;
  }
  const raw = data.results.find((r) => r.name === 'raw worker_threads');
  const rawSays = raw
    ? ` Even raw worker_threads, which has no pool logic at all, reached only ×${fixed(raw.cpuSpeedup, 2)}, so the cores were busy with other programs while this ran.`
    : ' The cores were busy with other programs while this ran.';
  return `On this run the pools ran the ~1 ms job ${range} as fast as one thread, far from ×${ideal}.${rawSays} On a quiet ${data.cores}-core machine expect close to ×${ideal}, because each worker then has a core of its own and ${cheap}.`;
}

/** Section 3.3.3: the quick benchmark (4,000 tiny tasks, 100 × ~1 ms, best of 2 rounds). */
const libraries: TableSource = {
  name: '3.3-libraries',
  command: ['chapters/3.3/src/main.ts', '3.3.3', '--json'],
  render(json) {
    const data = json as Measured<PoolBenchRow>;
    return `${poolBenchTable(data, 4_000, 100)}\n\n${readSpeedups(data)}`;
  },
};

/** The full pools benchmark (20,000 tiny tasks, 300 × ~1 ms, best of 3 rounds). */
const benchPools: TableSource = {
  name: '3.3-bench-pools',
  command: ['chapters/3.3/bench/pools.bench.ts', '--json'],
  render(json) {
    const data = json as Measured<PoolBenchRow>;
    const ours = data.results.find((r) => r.name === 'our ThreadPool');
    if (!ours) return poolBenchTable(data, 20_000, 300);
    const verdict = (value: number, target: number) =>
      `${fixed(value, 2)}× ${value >= target ? '≥' : '<'} ${target}×: ${value >= target ? 'met' : 'not met'}`;
    return [
      poolBenchTable(data, 20_000, 300),
      `Design targets in this run: our ThreadPool's tiny-task rate against piscina's, ${verdict(ours.tinyVsPiscina, 2)}; its ~1 ms speedup against raw worker_threads', ${verdict(ours.cpuVsRawThreads, 0.95)}.`,
    ].join('\n\n');
  },
};

/** The generators benchmark: three sizes, median of 3 rounds each. */
const benchGenerators: TableSource = {
  name: '3.3-bench-generators',
  command: ['chapters/3.3/bench/generators.bench.ts', '--json'],
  render(json) {
    const data = json as Measured<{
      name: string;
      count: number;
      ms: number;
      vsLoop: number;
      peakHeapMiB: number;
    }>;
    const table = markdownTable(
      ['values summed', 'variant', 'ms', '× plain loop', 'peak heap growth (MiB)'],
      data.results.map((r) => [
        r.count.toLocaleString('en'),
        r.name,
        fixed(r.ms, 1),
        fixed(r.vsLoop, 2),
        fixed(r.peakHeapMiB, 1),
      ]),
    );
    return `${table}\n\n${onCores(data)}`;
  },
};

export const tables: TableSource[] = [pools, lazyEager, libraries, benchPools, benchGenerators];
