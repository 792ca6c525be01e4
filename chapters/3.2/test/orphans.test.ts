import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendantsOf, isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';

const TSX = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Starts `3.2.4` with millions of round trips (the echo child would otherwise live for
 * minutes) and resolves once that echo child is running, with its pid.
 */
async function startChapterInRoundTrips() {
  const cli = spawn(TSX, [MAIN, '3.2.4', '--trips', '100000000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  const output = { stdout: '', stderr: '' };
  cli.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  cli.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const pid = cli.pid as number;
  const cleanUp = () => {
    for (const p of [pid, ...descendantsOf(pid)]) if (isRunning(p)) process.kill(p, 'SIGKILL');
  };
  let seen: number[] = [];
  let echo = 0;
  try {
    await until(
      () => output.stdout.includes('step 3'),
      30_000,
      'section 3.2.4 to reach its round trips',
    );
    await until(
      () => {
        seen = descendantsOf(pid);
        echo = seen.find((p) => commandLine(p).includes('ts-entry.mjs')) ?? 0;
        return echo !== 0;
      },
      15_000,
      'the echo child process to appear',
    );
  } catch (error) {
    cleanUp();
    throw error;
  }
  return { cli, pid, echo, seen, exited, output, cleanUp };
}

describe.runIf(process.platform === 'linux')('Ctrl-C', () => {
  it('stops the chapter mid-run with exit code 130 and leaves no child process behind', async () => {
    const run = await startChapterInRoundTrips();
    try {
      run.cli.kill('SIGINT');
      const code = await within(
        run.exited,
        15_000,
        `the chapter (pid ${run.pid}) to exit after SIGINT`,
      );
      // A section cut short exits the way shells report an interrupt: 128 + SIGINT (2).
      expect(code).toBe(130);
      await until(
        () => run.seen.every((p) => !isRunning(p)),
        5_000,
        `processes ${run.seen.join(', ')} to be gone`,
      );
      expect(run.seen.filter(isRunning)).toEqual([]);
      expect(run.output.stdout).toContain(
        'interrupted: 3.2.4 stopped its workers and child processes',
      );
    } finally {
      run.cleanUp();
    }
  });
});

describe.runIf(process.platform === 'linux')('a child that dies mid-section', () => {
  it('is reported with how it ended, exits 1 and leaves no child process behind', async () => {
    const run = await startChapterInRoundTrips();
    try {
      process.kill(run.echo, 'SIGKILL');
      const code = await within(
        run.exited,
        15_000,
        `the chapter (pid ${run.pid}) to report its killed echo child ${run.echo}`,
      );
      expect(code).toBe(1);
      expect(run.output.stderr).toContain(
        'error in 3.2.4: WorkerExitedError: echo process exited with signal SIGKILL before answering',
      );
      await until(
        () => run.seen.every((p) => !isRunning(p)),
        5_000,
        `processes ${run.seen.join(', ')} to be gone`,
      );
    } finally {
      run.cleanUp();
    }
  });
});

describe.runIf(process.platform === 'linux')('an interrupted measurement', () => {
  it('rejects and leaves none of its child processes running', async () => {
    const { measureRoundTrips } = await import('../src/processes-demo.ts');
    const controller = new AbortController();
    const before = new Set(descendantsOf(process.pid));
    let seen: number[] = [];
    // A billion round trips: the run can only end by being interrupted.
    const run = measureRoundTrips(1_000_000_000, controller.signal);
    run.catch(() => {});
    await until(
      () => {
        seen = descendantsOf(process.pid).filter(
          (p) => !before.has(p) && commandLine(p).includes('ts-entry.mjs'),
        );
        return seen.length > 0;
      },
      30_000,
      'the echo child process to start',
    );
    controller.abort();
    await expect(within(run, 15_000, 'the interrupted round trips to settle')).rejects.toThrow(
      'echo process exited with signal SIGTERM before answering',
    );
    await until(
      () => seen.every((p) => !isRunning(p)),
      5_000,
      `children ${seen.join(', ')} to be gone`,
    );
  });
});
