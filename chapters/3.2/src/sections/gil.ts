/**
 * 3.2.3 The GIL lesson — the same CPU-bound count on 1 thread, Promise.all, N worker threads
 * and N child processes (cold and warm); then I/O-bound work where one thread suffices.
 * Shows:  Promise.all does not make JavaScript run in parallel; workers and processes do.
 * Run:    npm run chapter:3.2 -- 3.2.3 [--limit 3000000] [--workers 2] [--json]
 * Expect: Promise.all ≈ 1.0×; warm workers and processes ≈ 1.8–2.0× on 2 idle cores.
 */
import { availableParallelism } from 'node:os';
import { formatBars, formatTable, type Section, wholeNumberArg } from '@course/course-kit';
import { type GilRow, runCpuVariants, runIoVariants } from '../gil-lesson.ts';
import { shapeNotes } from '../gil-notes.ts';
import { MAX_WORKERS } from '../limits.ts';

const HEADER = ['variant', 'wall ms', 'cpu ms', 'cores used', 'speedup'];
const toCells = (r: GilRow) => [
  r.name,
  r.wall_ms,
  r.cpu_ms,
  r.cores_used,
  `${r.speedup.toFixed(2)}×`,
];
/** The CPU table adds efficiency: speedup ÷ the workers (threads or processes) a row computed on. */
const CPU_HEADER = [...HEADER, 'efficiency'];
const toCpuCells = (r: GilRow) => [...toCells(r), r.efficiency?.toFixed(2) ?? ''];

export const gil: Section = {
  id: '3.2.3',
  title: 'The GIL lesson',
  summary: 'CPU-bound work: sequential vs Promise.all vs worker threads vs child processes',
  options: { limit: { type: 'string' }, workers: { type: 'string' } },
  async run(ctx) {
    const cores = availableParallelism();
    const limit = wholeNumberArg(ctx.args, 'limit', 3_000_000, { min: 100, max: 1_000_000_000 });
    const workers = wholeNumberArg(ctx.args, 'workers', cores, { max: MAX_WORKERS });
    ctx.step(`step 1: count primes below ${limit} (${cores} cores, ${workers} workers)`);
    const cpu = await runCpuVariants({
      limit,
      workers,
      signal: ctx.signal,
      onProgress: (text) => ctx.say(`  ${text}`),
    });
    ctx.say(formatTable(CPU_HEADER, cpu.map(toCpuCells)));
    ctx.say(
      'efficiency = speedup ÷ the threads or processes a row computed on (1.00: each was worth',
    );
    ctx.say('one whole thread of the sequential run).');
    ctx.say(
      formatBars(
        cpu.map((r) => ({ label: r.name, value: r.speedup, note: `${r.speedup.toFixed(2)}×` })),
      ),
    );
    for (const note of shapeNotes(cpu, cores, workers)) ctx.say(note);

    ctx.step('step 2: I/O-bound contrast — waiting overlaps on one thread');
    const io = await runIoVariants({ tasks: 8, waitMs: 50, hashIterations: 40_000 });
    ctx.say(formatTable(HEADER, [...io.waits, ...io.hashes].map(toCells)));
    ctx.say(
      'The waits overlap on one thread with almost no CPU; the hashes run on libuv’s thread pool.',
    );
    return { limit, workers, results: [...cpu, ...io.waits, ...io.hashes] };
  },
};
