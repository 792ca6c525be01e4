/**
 * Pools benchmark: our ThreadPool and ProcessPool against piscina, tinypool, and raw
 * worker_threads / child_process, all in one run on 2 workers.
 *
 *   tiny task  (square)        tasks per second, as a ratio to piscina
 *   ~1 ms task (spin 400,000)  speedup over one thread, as a ratio to raw worker_threads
 *
 * Run:  npm run bench   (or: npx tsx chapters/3.3/bench/pools.bench.ts [--quick] [--json])
 * Not under fork(): tinypool's idle worker threads hang when the process has an IPC
 * channel (seen with tinypool 2.2 on Node 20), so section 3.3.3 spawns this file plainly.
 * Every result is checked; a wrong answer fails the run. Rounds are interleaved across
 * variants, so background load hits them all alike; the best round is reported.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { formatPoolBench, type PoolBenchRow } from '../src/sections/pool-bench-table.ts';
import { spin } from '../src/tasks.ts';
import { type Runner, VARIANTS, type Variant } from './variants.ts';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, json: { type: 'boolean' } },
});
const WORKERS = 2;
const TINY_TASKS = flags.quick ? 4_000 : 20_000;
const CPU_TASKS = flags.quick ? 100 : 300;
const SPIN_ROUNDS = 400_000;
const ROUNDS = flags.quick ? 2 : 3;
const EXPECTED_SPIN = spin(SPIN_ROUNDS);

async function timeTiny(runner: Runner): Promise<number> {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: TINY_TASKS }, (_, i) => runner.run('square', i)),
  );
  const ms = performance.now() - start;
  results.forEach((value, i) => {
    if (value !== i * i) throw new Error(`wrong answer: square(${i}) gave ${value}`);
  });
  return ms;
}

async function timeCpu(runner: Runner): Promise<number> {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: CPU_TASKS }, () => runner.run('spin', SPIN_ROUNDS)),
  );
  const ms = performance.now() - start;
  if (results.some((v) => v !== EXPECTED_SPIN)) throw new Error('wrong answer from spin');
  return ms;
}

/** Best of the rounds: the one least disturbed by whatever else the machine was doing. */
function best(values: number[], pick: 'min' | 'max'): number {
  return pick === 'min' ? Math.min(...values) : Math.max(...values);
}

function serialCpuMs(): number {
  const start = performance.now();
  for (let i = 0; i < CPU_TASKS; i++)
    if (spin(SPIN_ROUNDS) !== EXPECTED_SPIN) throw new Error('spin');
  return performance.now() - start;
}

export async function runPoolBench(log: (line: string) => void): Promise<PoolBenchRow[]> {
  log(
    `${VARIANTS.length} variants, ${WORKERS} workers, ${ROUNDS} round(s); ${TINY_TASKS} tiny tasks, ${CPU_TASKS} × ~1 ms tasks`,
  );
  const runners = new Map<Variant, Runner>();
  for (const variant of VARIANTS) {
    const runner = variant.start(WORKERS);
    // Warm-up: workers started, modules loaded, JIT warm, before anything is timed.
    await timeCpu(runner);
    await timeTiny(runner);
    runners.set(variant, runner);
  }
  const tiny = new Map<Variant, number[]>();
  const cpu = new Map<Variant, number[]>();
  const serial: number[] = [];
  const add = (map: Map<Variant, number[]>, v: Variant, value: number) =>
    map.set(v, [...(map.get(v) ?? []), value]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, runner] of runners) {
        add(tiny, variant, await timeTiny(runner));
        // One thread's time, sampled as often as the pools, so load hits both alike.
        serial.push(serialCpuMs());
        add(cpu, variant, await timeCpu(runner));
      }
      log(`round ${round + 1}/${ROUNDS} done`);
    }
  } finally {
    await Promise.all([...runners.values()].map((r) => r.stop()));
  }
  const rate = (v: Variant) => TINY_TASKS / (best(tiny.get(v) ?? [], 'min') / 1000);
  // Best one-thread time over best pool time: each the least disturbed of its samples.
  const speedup = (v: Variant) => best(serial, 'min') / best(cpu.get(v) ?? [], 'min');
  const piscina = VARIANTS.find((v) => v.name === 'piscina') as Variant;
  const rawThreads = VARIANTS.find((v) => v.name === 'raw worker_threads') as Variant;
  return VARIANTS.map((v) => ({
    name: v.name,
    tinyTasksPerSec: Math.round(rate(v)),
    tinyVsPiscina: rate(v) / rate(piscina),
    cpuMs: best(cpu.get(v) ?? [], 'min'),
    cpuSpeedup: speedup(v),
    cpuVsRawThreads: speedup(v) / speedup(rawThreads),
  }));
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows = await runPoolBench(log);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ section: 'bench:pools', cores: availableParallelism(), results: rows })}\n`,
    );
  } else {
    process.stdout.write(`\n${formatPoolBench(rows)}\n`);
  }
}

await main();
