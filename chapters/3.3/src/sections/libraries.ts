/**
 * 3.3.3 Third-party libraries — the original chapter left this heading empty. The Node
 * counterparts of Python's third-party pools are piscina and tinypool; this section runs the
 * same job on them, on our pools and on raw worker_threads / child_process.
 * Shows:  what a mature library costs per task, and where the time goes.
 * Run:    npm run chapter:3.3 -- 3.3.3 [--json]     (the full version: npm run bench)
 * Expect: a table of tasks/s and speedups; ratios matter, absolute numbers depend on load.
 *
 * The libraries are devDependencies, so src never imports them: this section runs the
 * benchmark script (bench/pools.bench.ts --quick --json) as a child process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Section } from '@course/course-kit';
import { formatPoolBench, type PoolBenchRow } from './pool-bench-table.ts';

const CHAPTER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const BENCH = fileURLToPath(new URL('../../bench/pools.bench.ts', import.meta.url));

export const libraries: Section = {
  id: '3.3.3',
  title: 'Third-party libraries',
  summary:
    'the same jobs on piscina, tinypool, our pools and raw threads/processes (quick benchmark)',
  async run({ say, step, signal }) {
    step('1. quick benchmark in a child process: 2 workers each, interleaved, results checked');
    const child = spawn(process.execPath, ['--import', 'tsx', BENCH, '--quick', '--json'], {
      cwd: CHAPTER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => say(chunk.toString().trimEnd()));
    const code = await new Promise<number | null>((resolve) => {
      child.on('error', () => {}); // Ctrl-C aborts the child; 'close' still reports it
      child.on('close', resolve);
    });
    if (signal.aborted) {
      say('interrupted: the benchmark child was stopped');
      return undefined;
    }
    if (code !== 0) throw new Error(`the benchmark child exited with code ${code}`);
    const rows = (
      JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { results: PoolBenchRow[] }
    ).results;
    say(formatPoolBench(rows));

    step('2. reading the table');
    say('tiny tasks measure the cost per task: messages, promises, bookkeeping. Sending');
    say('several tasks per message is why our pools beat one-message-per-task designs there.');
    say('~1 ms tasks measure scheduling: on 2 idle cores every well-built pool approaches 2×.');
    say('What the libraries add for their cost: per-task AbortSignal, transfer lists, resource');
    say('limits, idle timeouts, histograms, and years of production use.');
    return { results: rows.map((row) => ({ ...row })) };
  },
};
