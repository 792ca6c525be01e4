/**
 * The chapter's command line and the samples that prove the original chapter's errata.
 */
import { availableParallelism } from 'node:os';
import { EXIT_INTERRUPTED, runChapter } from '@course/course-kit';
import { childrenOf } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, test } from 'vitest';
import { chapter } from '../src/chapter.ts';
import { createPool, POOL_KINDS, PoolClosedError } from '../src/pool/index.ts';
import { runMatchmaking } from '../src/sections/matchmaking.ts';
import { mpTestAsWritten, mpTestFixed } from '../src/sections/mptest.ts';
import { runQueue } from '../src/sections/run-queue.ts';
import { JoinableQueue } from '../src/sync/index.ts';

/** Runs the chapter in-process; Ctrl-C is simulated `delayMs` after `interruptWhen` is printed. */
async function run(argv: string[], interruptWhen?: string, delayMs = 0) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const code = await runChapter(chapter, argv, {
    stdout: (t) => {
      stdout += t;
      if (interruptWhen && t.includes(interruptWhen)) {
        // As Ctrl-C would; with no delay, before the section prints its next line.
        if (delayMs === 0) controller.abort();
        else setTimeout(() => controller.abort(), delayMs);
      }
    },
    stderr: (t) => (stderr += t),
    color: false,
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}

describe('the chapter command line', () => {
  test('--list names every section of the original chapter, 3.3 through 3.3.4', async () => {
    const { code, stdout } = await run(['--list']);
    expect(code).toBe(0);
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['3.3', '3.3.1', '3.3.2', '3.3.3', '3.3.4']);
  });

  test('--help lists the shared flags and each section flag with the sections it applies to', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: npm run chapter:3.3 -- [section] [flags]');
    expect(stdout).toMatch(/--json/);
    expect(stdout).toMatch(/--kind <value>\s+\(3\.3\.1\)/);
    expect(stdout).toMatch(/--count <value>\s+\(3\.3\.2\)/);
    expect(stdout).toMatch(/--players <value>\s+\(3\.3\.4\)/);
  });

  test('3.3 moves every item through the bounded queue once, with async tasks and with threads', async () => {
    const { code, stdout } = await run(['3.3', '--items', '30']);
    expect(code).toBe(0);
    expect(stdout).toContain('produced 30, consumed 30 (30 distinct)');
    expect(stdout).toMatch(/producers found the queue full [1-9]\d* times/);
    expect(stdout).toContain('30 items computed in worker threads, e.g. fib(24) = 46368');
  });

  test('an interrupt during 3.3 stops producers, consumers and the pool instead of hanging', async () => {
    const before = childrenOf();
    const { code, stdout } = await within(
      // 300 ms in, the threads are starting or working and every consumer waits on the pool.
      run(['3.3', '--items', '100000'], 'hand the work to a pool', 300),
      20_000,
      'section 3.3 to stop after an interrupt',
    );
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(stdout).toContain('interrupted: producers and consumers stopped');
    expect(stdout).not.toContain('items computed in worker threads');
    expect(childrenOf()).toEqual(before);
  });

  test('an interrupt during 3.3.3 stops the benchmark child', async () => {
    const before = childrenOf();
    const { code, stdout } = await within(
      run(['3.3.3'], 'quick benchmark in a child process', 500),
      20_000,
      'section 3.3.3 to stop after an interrupt',
    );
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(stdout).toContain('interrupted: the benchmark child was stopped');
    expect(childrenOf()).toEqual(before);
  });

  test('3.3.1 --json prints {section, cores, results[{name, ...}]} with the pool speedup', async () => {
    const { code, stdout, stderr } = await run([
      '3.3.1',
      '--kind',
      'thread',
      '--jobs',
      '4',
      '--json',
    ]);
    expect(code).toBe(0);
    // With --json the narration goes to stderr, so stdout holds only the JSON line.
    expect(stderr).toContain(
      'a runaway task with AbortSignal.timeout(200) rejected with TimeoutError',
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] as string) as {
      section: string;
      cores: number;
      results: { name: string; ms: number; serialMs: number; speedup: number }[];
    };
    expect(parsed.section).toBe('3.3.1');
    expect(parsed.cores).toBe(availableParallelism());
    expect(parsed.results.map((r) => r.name)).toEqual(['thread pool']);
    const [only] = parsed.results;
    expect(only?.speedup).toBeCloseTo((only?.serialMs ?? 0) / (only?.ms ?? 1), 6);
  });

  test('3.3.2 --json prints one measured object with the lazy and eager results', async () => {
    const { code, stdout, stderr } = await run(['3.3.2', '--json', '--count', '100000']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout.trim()) as {
      section: string;
      cores: number;
      results: { name: string; checksum: number }[];
    };
    expect(parsed.section).toBe('3.3.2');
    expect(parsed.results.map((r) => r.name)).toEqual(['generator', 'array', 'plain loop']);
    expect(new Set(parsed.results.map((r) => r.checksum)).size).toBe(1);
    expect(stderr).toContain('match: I love coroutine instead!');
  });

  test('an interrupt during 3.3.1 skips the timed step and leaves no child process', async () => {
    const before = childrenOf();
    // Cut in step 2: its pool is terminated under the calls still to come.
    const { code, stdout } = await run(['3.3.1', '--kind', 'process'], 'apply(fib, [20])');
    // Cut short by Ctrl-C: the shell's 128 + SIGINT.
    expect(code).toBe(EXIT_INTERRUPTED);
    expect(stdout).toContain('interrupted: pools terminated, no worker left running');
    expect(stdout).not.toContain('-- 3.');
    await until(
      () => childrenOf().every((pid) => before.includes(pid)),
      10_000,
      'the pool children to exit',
    );
  });

  test('a count too large to hold in memory is a usage error, not a crash', async () => {
    const { code, stderr } = await run(['3.3.2', '--count', '1e12']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      '--count expects a whole number from 1 to 50000000, got 1000000000000',
    );
  });

  test('a bad --kind is a usage error with exit code 2', async () => {
    const { code, stderr } = await run(['3.3.1', '--kind', 'fiber']);
    expect(code).toBe(2);
    expect(stderr).toContain('--kind expects thread or process, got "fiber"');
  });
});

describe.each(POOL_KINDS)("the original chapter's MPTest on a %s pool", (kind) => {
  test('as written (close and join inside the loop) the second submit throws PoolClosedError', async () => {
    const pool = createPool(kind, { size: 2 });
    await expect(mpTestAsWritten(pool, 1000)).rejects.toBeInstanceOf(PoolClosedError);
    expect(pool.state).toBe('closed');
    expect(pool.workerCount).toBe(0);
  });

  test('fixed (close and join once, after the loop) it returns all 1000 lines in order', async () => {
    const lines = await mpTestFixed(createPool(kind, { size: 2 }), 1000);
    expect(lines).toHaveLength(1000);
    expect(lines.slice(0, 2)).toEqual(['0->50', '1->51']);
    expect(lines[999]).toBe('999->1049');
  });
});

describe("section 3.3's queue loop", () => {
  test('a failing consumer stops the producers and the other consumers; the error comes out', async () => {
    const queue = new JoinableQueue<number>(2);
    const produce = async (put: (n: number) => Promise<void>) => {
      for (let n = 0; n < 1_000; n++) await put(n);
    };
    const consume = async (n: number) => {
      if (n === 7) throw new Error('item 7 is bad');
    };
    const outcome = runQueue(queue, produce, consume, 3, new AbortController().signal);
    await expect(within(outcome, 5_000, 'runQueue to give up')).rejects.toThrow('item 7 is bad');
    expect(queue.waiting()).toEqual({ getters: 0, putters: 0 });
  });
});

describe('section 3.3.4', () => {
  test('kill() ends the running tasks and the ones waiting for a slot; join() sees 0 unfinished', async () => {
    const { code, stdout } = await run(['3.3.4', '--players', '8']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '5 of 5 tasks ended with "server shutting down" (3 were running, 2 never started)',
    );
    expect(stdout).toContain('join() resolved with 0 unfinished tasks');
  });
});

describe('the matchmaking sample (3.3.4)', () => {
  test('every seated player gets exactly one outcome and rooms never exceed the limit', async () => {
    const report = await runMatchmaking({
      players: 21,
      lobbySize: 3,
      rooms: 2,
      joinTimeoutMs: 15,
      matchMs: 10,
    });
    expect(report.seated + report.turnedAway).toBe(21);
    expect(report.outcomes).toHaveLength(report.seated);
    expect(report.matches).toBe(Math.floor(report.seated / 2));
    expect(report.peakRooms).toBeLessThanOrEqual(2);
    expect(report.ladderPoints).toBe(3 * report.matches);
    const names = report.outcomes.map((o) => o.split(' ')[0]);
    expect(new Set(names).size).toBe(report.seated);
  });
});
