/**
 * Generators vs arrays (section 3.3.2): sum the first N Fibonacci numbers lazily, eagerly
 * and with a plain loop; time and peak heap, as ratios to the plain loop in the same run.
 *
 * Run:  npm run bench   (or: npx tsx chapters/3.3/bench/generators.bench.ts [--json])
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { formatTable } from '@course/course-kit';
import { compareLazyAndEager, type LazyEagerResult } from '../src/coroutines/index.ts';

const { values: flags } = parseArgs({ options: { json: { type: 'boolean' } } });
const COUNTS = [100_000, 1_000_000, 5_000_000];
const ROUNDS = 3;

const rows: (LazyEagerResult & { count: number; vsLoop: number })[] = [];
for (const count of COUNTS) {
  const rounds = Array.from({ length: ROUNDS }, () => compareLazyAndEager(count));
  const checksums = new Set(rounds.flat().map((r) => r.checksum));
  if (checksums.size !== 1) throw new Error(`lazy and eager sums disagree for ${count}`);
  // Median time per variant; the peak heap of the same round.
  const pick = (name: LazyEagerResult['name']) => {
    const all = rounds.map((r) => r.find((x) => x.name === name) as LazyEagerResult);
    return all.sort((a, b) => a.ms - b.ms)[Math.floor(ROUNDS / 2)] as LazyEagerResult;
  };
  const loop = pick('plain loop');
  for (const name of ['generator', 'array', 'plain loop'] as const) {
    const r = pick(name);
    rows.push({ ...r, count, vsLoop: r.ms / loop.ms });
  }
}

if (flags.json) {
  process.stdout.write(
    `${JSON.stringify({ section: 'bench:generators', cores: availableParallelism(), results: rows })}\n`,
  );
} else {
  process.stdout.write(
    `${formatTable(
      ['count', 'variant', 'ms', '× plain loop', 'peak heap MiB'],
      rows.map((r) => [
        r.count,
        r.name,
        r.ms.toFixed(1),
        r.vsLoop.toFixed(2),
        r.peakHeapMiB.toFixed(1),
      ]),
    )}\n`,
  );
}
