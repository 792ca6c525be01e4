import { runChapter } from '@course/course-kit';
import { within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import { chapter } from '../src/chapter.ts';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runChapter(chapter, argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    color: false,
    signal: new AbortController().signal,
  });
  return { code, out: out.join(''), err: err.join('') };
}

/** Every measured row has a name and finite numbers for the fields a reader compares. */
function expectRows(rows: unknown, fields: readonly string[]) {
  expect(Array.isArray(rows)).toBe(true);
  for (const row of rows as Record<string, unknown>[]) {
    expect(typeof row.name).toBe('string');
    for (const field of fields)
      expect(Number.isFinite(row[field]), `${String(row.name)}.${field}`).toBe(true);
  }
}

describe('chapter 3.2 command line', () => {
  it('lists the concept section and the five numbered sections in the original chapter’s order', async () => {
    const { out } = await run(['--list']);
    expect(
      out
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['3.2', '3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5']);
  });

  it('prints --help with every section flag and the sections that take it', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('usage: npm run chapter:3.2 -- [section] [flags]');
    for (const line of [
      /--workers <value> +\(3\.2\.2, 3\.2\.3, 3\.2\.5\)/,
      /--times <value> +\(3\.2\.2\)/,
      /--limit <value> +\(3\.2\.3\)/,
      /--trips <value> +\(3\.2\.4\)/,
      /--duration <value> +\(3\.2\.5\)/,
      /--size <value> +\(3\.2\.5\)/,
    ])
      expect(out).toMatch(line);
  });

  it.each([
    [['3.2.3', '--workers', '0'], '--workers expects a whole number from 1 to 64, got 0'],
    [['3.2.2', '--times', '2.5'], '--times expects a whole number from 1 to 100000000, got 2.5'],
    [['3.2.5', '--size', '5000'], '--size expects a whole number from 2 to 1000, got 5000'],
  ])('refuses %j with one line and exit code 2: %s', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(`error in ${argv[0]}: ${message}\n`);
    expect(err).not.toContain('    at ');
  });

  it('prints 3.2.3 as one JSON object with correct counts for every variant', async () => {
    const { code, out, err } = await within(
      run(['3.2.3', '--json', '--limit', '20000', '--workers', '1']),
      60_000,
      'section 3.2.3',
    );
    expect(code, err).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] as string);
    expect(parsed).toMatchObject({ section: '3.2.3', limit: 20_000, workers: 1 });
    expect(parsed.cores).toBeGreaterThan(0);
    expectRows(parsed.results, ['wall_ms', 'cpu_ms', 'cores_used', 'speedup']);
    const cpuRows = (
      parsed.results as { name: string; result: number; speedup: number; efficiency: number }[]
    ).slice(0, 6);
    // Efficiency is per worker used: the one-thread rows' efficiency is their speedup.
    expect(cpuRows[0]).toMatchObject({ speedup: 1, efficiency: 1 });
    for (const row of cpuRows) expect(Number.isFinite(row.efficiency), row.name).toBe(true);
    expect(cpuRows[1]?.efficiency).toBe(cpuRows[1]?.speedup);
    // The I/O rows mostly wait: no efficiency.
    for (const row of (parsed.results as object[]).slice(6))
      expect(row).not.toHaveProperty('efficiency');
    expect(cpuRows.map((r) => r.name)).toEqual([
      'sequential',
      'Promise.all on the main thread',
      '1 worker thread, cold',
      '1 worker thread, warm',
      '1 child process, cold',
      '1 child process, warm',
    ]);
    for (const row of cpuRows) expect(row.result).toBe(2_262); // π(20000)
    expect(err).toContain('== 3.2.3 The GIL lesson ==');
    // The narration (stderr under --json) carries the table and the bar chart of speedups.
    expect(err).toMatch(/^variant +wall ms +cpu ms +cores used +speedup +efficiency/m);
    expect(err).toMatch(/^sequential +█+ 1\.00×$/m);
  });

  it('prints 3.2.2 as JSON where the mutex and Atomics.add rows are exact', async () => {
    const { code, out, err } = await within(
      run(['3.2.2', '--json', '--workers', '2', '--times', '3000']),
      60_000,
      'section 3.2.2',
    );
    expect(code, err).toBe(0);
    const parsed = JSON.parse(out);
    expectRows(parsed.results, [
      'expected',
      'total',
      'lost_pct',
      'wall_ms',
      'increments_per_ms',
      'speedup',
    ]);
    const byName = Object.fromEntries(
      (parsed.results as { name: string; total: number }[]).map((r) => [r.name, r.total]),
    );
    expect(byName).toMatchObject({ mutex: 6_000, 'Atomics.add': 6_000 });
    expect(err).toContain(
      'NotLockOwnerError: worker 2 cannot unlock "scoreboard": it is held by worker 1',
    );
    expect(err).toMatch(/deadlock: worker \d+ holds "left fork" and waits for "right fork"/);
    expect(err).toContain('blocking lock(): MainThreadBlockError: lock "map"');
    expect(err).toMatch(
      /lockAsync\(\): got "map" after \d+ ms; meanwhile the event loop ran \d+ timer callbacks/,
    );
  });

  it('prints 3.2.4 as JSON: the child’s queued item, memory that is not shared, round-trip costs', async () => {
    const { code, out, err } = await within(
      run(['3.2.4', '--json', '--trips', '50']),
      60_000,
      'section 3.2.4',
    );
    expect(code, err).toBe(0);
    const parsed = JSON.parse(out);
    expectRows(parsed.results, ['round_trips', 'wall_ms', 'us_per_round_trip', 'speedup']);
    expect(parsed.memory).toEqual({ childSees: 1, workerSees: 1, parentCounter: 0, sharedCell: 1 });
    expect(err).toContain('parent got [4031,1024,"my data"]');
  });

  it('runs 3.2.1: two workers tick 9 and 3 times, then the ref’d child waits and the unref’d one does not', async () => {
    const { code, out } = await within(run(['3.2.1']), 60_000, 'section 3.2.1');
    expect(code).toBe(0);
    expect(out.match(/^A tick \d$/gm)).toHaveLength(9);
    expect(out.match(/^ +B tick \d$/gm)).toHaveLength(3);
    expect(out).toMatch(/worker left ref’d \(join\): process lived \d+ ms, printed 5 of 5 ticks/);
    expect(out).toMatch(
      /worker\.unref\(\) \(daemon\): process lived \d+ ms, printed [0-4] of 5 ticks/,
    );
  });

  it('explains parallelism as simultaneous execution on several cores', async () => {
    const { code, out } = await run(['3.2']);
    expect(code).toBe(0);
    expect(out).toContain(
      'parallelism      several tasks executing at the same instant, on different cores',
    );
    expect(out).toContain('Parallelism is not "instruction-level parallelism"');
  });
});

describe('chapter 3.2.5 command line', () => {
  it('prints 3.2.5 as JSON with latency percentiles for the idle, main-thread and worker-pool runs', async () => {
    const argv = ['3.2.5', '--json', '--duration', '200', '--size', '60', '--workers', '1'];
    const { code, out, err } = await within(run(argv), 60_000, 'section 3.2.5');
    expect(code, err).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.section).toBe('3.2.5');
    expectRows(parsed.results, [
      'pings',
      'p50_ms',
      'p99_ms',
      'max_ms',
      'heavy_jobs',
      'wall_ms',
      'speedup',
    ]);
    expect((parsed.results as { name: string }[]).map((r) => r.name)).toEqual([
      'idle server, logic on main thread',
      'flooded, logic on main thread',
      'flooded, logic on worker pool',
    ]);
    expect(err).toContain('DataCloneError: a net.Socket could not be cloned');
    expect(err).toMatch(
      /a server the worker thread opened itself: the client read "served by worker thread \d+ of pid \d+"/,
    );
    expect(err).toContain('A worker thread can open and serve its own sockets');
    expect(err).not.toMatch(/seed|never own/i);
  });
});
