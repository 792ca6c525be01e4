/**
 * Runs exercises' tests in a vitest child process and collects a result per test.
 * A child (not in-process vitest) so a hung student file can be killed without taking the
 * grader down; results arrive per file through the JSON-lines reporter.
 *
 * An endless loop blocks its test file's thread, so vitest's test timeout never fires and
 * the run would never end. Each running file sends heartbeats (heartbeat.ts); when one falls
 * silent for `stallMs`, the child is stopped, that file scores `error` naming the test that
 * was running, and the files that had not finished yet are run again in a fresh child.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type ModuleLine,
  RESULTS_FILE_ENV,
  type ResultLine,
  type TestLine,
} from './jsonl-reporter.ts';
import { stopLeftovers } from './leftovers.ts';
import { type Exercise, exercisePaths } from './manifest.ts';
import { EXERCISES_CONFIG, ROOT, TARGET_ENV, type Target } from './paths.ts';

export interface TestOutcome {
  name: string;
  passed: boolean;
  /** The failure in plain words (its first line), when it failed. */
  message?: string;
  /** The failure's first few lines, without stack frames — e.g. both hex dumps. */
  detail?: string;
  duration?: number;
}

export interface ExerciseRun {
  exercise: Exercise;
  /** `error`: the file could not run at all (import failed, crashed, timed out). */
  status: 'ran' | 'error';
  tests: TestOutcome[];
  error?: string;
}

export interface RunOptions {
  target?: Target;
  root?: string;
  /** Whole-run limit, a backstop behind `stallMs`. */
  timeoutMs?: number;
  /**
   * How long a running test file may go without a heartbeat (see heartbeat.ts) before it is
   * taken for an endless loop: the run is stopped, that file scores `error`, and the files
   * that had not finished are run again without it.
   */
  stallMs?: number;
  /** Where vitest's own output goes (the grader stays quiet by default). */
  onOutput?: (text: string) => void;
  /** Stops the run at once (watch mode's `q`); unfinished files come back as `error`. */
  signal?: AbortSignal;
}

export const DEFAULT_STALL_MS = 15_000;
const POLL_MS = 250;

const VITEST_BIN = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);
const REPORTER = new URL('./jsonl-reporter.ts', import.meta.url).pathname;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;

/** The first line that says something, without colours or stack frames. */
export function plainMessage(raw: string | undefined): string {
  const lines = (raw ?? '').replace(ANSI, '').split('\n');
  const first = lines
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('at '));
  return first ?? 'failed without a message';
}

/**
 * A file-level error (one that kept every test from running) in one line: a heading that
 * ends in ":" is joined to the line that says what is wrong ("Transform failed with 1
 * error: exercises/3.1/02-unmask.ts:18:22: ERROR: Unexpected \";\""), paths made relative.
 */
export function fileErrorMessage(raw: string, root: string): string {
  const lines = raw
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at '));
  const [first = 'failed without a message', second] = lines;
  let joined = first.endsWith(':') && second ? `${first} ${second}` : first;
  // vite's parse errors put the place in a code frame: "╭─[ exercises/…/02-unmask.ts:18:23 ]".
  const place = lines.map((line) => /\[ *([^\s\]]+:\d+:\d+) *\]/.exec(line)?.[1]).find(Boolean);
  if (place && !joined.includes(place)) joined += ` at ${place}`;
  return joined.split(root).join('');
}

/** Up to `max` lines of the message, stack frames and diff noise left out. */
export function messageDetail(raw: string | undefined, max = 8): string {
  const lines = (raw ?? '').replace(ANSI, '').split('\n');
  return lines
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('at '))
    .slice(0, max)
    .join('\n');
}

/** A backstop only: hangs are caught by their missing heartbeats long before this. */
export function runLimitMs(exercises: number): number {
  return Math.min(600_000, 120_000 + 15_000 * exercises);
}

/** What one vitest child reported before it ended or was stopped. */
interface ChildRun {
  ended: Map<string, ModuleLine>;
  /** Files stopped for making no progress, with the test that was running, if known. */
  stalled: Map<string, string | undefined>;
  timedOut: boolean;
}

export async function runExercises(
  exercises: readonly Exercise[],
  options: RunOptions = {},
): Promise<ExerciseRun[]> {
  const root = options.root ?? ROOT;
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const runs = new Map<Exercise, ExerciseRun>();
  let pending = [...exercises];
  while (pending.length > 0) {
    const child = await runChild(pending, root, options, stallMs);
    for (const exercise of pending) {
      const file = join(root, exercisePaths(exercise).tests);
      const line = child.ended.get(file);
      if (line) runs.set(exercise, collect(exercise, line, root));
      else if (child.stalled.has(file))
        runs.set(exercise, stalledRun(exercise, child.stalled.get(file), stallMs));
    }
    const rest = pending.filter((e) => !runs.has(e));
    // Run the innocent files again, unless this run got nowhere (then nothing will change).
    const progressed = rest.length < pending.length;
    if (!progressed || child.timedOut || options.signal?.aborted) {
      for (const exercise of rest) runs.set(exercise, unfinishedRun(exercise, child.timedOut));
      break;
    }
    pending = rest;
  }
  return exercises.map((e) => runs.get(e) ?? unfinishedRun(e, false));
}

/** How long a finished run's output pipes may stay open before they are dropped. */
const PIPE_DRAIN_MS = 1_000;

function runChild(
  exercises: readonly Exercise[],
  root: string,
  options: RunOptions,
  stallMs: number,
): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'course-grade-'));
  const resultsFile = join(dir, 'results.jsonl');
  const files = exercises.map((e) => exercisePaths(e).tests);
  const result: ChildRun = { ended: new Map(), stalled: new Map(), timedOut: false };
  const beats = new Map<string, { at: number; test?: string }>();
  const read = { offset: 0 };
  const absorb = () => {
    for (const line of readLines(resultsFile, read)) {
      if (line.kind === 'end') result.ended.set(line.file, line);
      else {
        const known = beats.get(line.file);
        beats.set(line.file, { at: Date.now(), test: line.test ?? known?.test });
      }
    }
  };
  return new Promise<ChildRun>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [VITEST_BIN, 'run', '--config', EXERCISES_CONFIG, '--reporter', REPORTER, ...files],
      {
        cwd: root,
        env: {
          ...process.env,
          [RESULTS_FILE_ENV]: resultsFile,
          [TARGET_ENV]: options.target ?? 'exercises',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
      },
    );
    const forward = (chunk: Buffer) => options.onOutput?.(chunk.toString());
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    const limit = setTimeout(() => {
      result.timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? runLimitMs(exercises.length));
    // Each poll reads only the lines appended since the previous one.
    const watchdog = setInterval(() => {
      absorb();
      const now = Date.now();
      for (const [file, beat] of beats) {
        if (!result.ended.has(file) && now - beat.at > stallMs) result.stalled.set(file, beat.test);
      }
      if (result.stalled.size > 0) child.kill('SIGKILL');
    }, POLL_MS);
    child.on('error', (error) => {
      // An abort kills the child; 'close' follows and reports what had finished.
      if (error.name === 'AbortError') return;
      clearTimeout(limit);
      clearInterval(watchdog);
      rmSync(dir, { recursive: true, force: true });
      reject(error);
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(limit);
      clearInterval(watchdog);
      absorb();
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    };
    // A failing test makes vitest exit 1; that is a result, not an error. The run is over when
    // vitest exits, not when its pipes close: a process the tests left running may hold them
    // open for ever. Those are stopped, and their pipes given a moment to drain, then dropped.
    child.on('exit', () => {
      const left = stopLeftovers(`${RESULTS_FILE_ENV}=${resultsFile}`);
      if (left > 0) {
        options.onOutput?.(`\nthe tests left ${left} process(es) running; they were stopped\n`);
      }
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_DRAIN_MS).unref();
    });
    child.on('close', finish);
  });
}

/** The complete lines appended to `file` since `read.offset`, which it moves on. */
function readLines(file: string, read: { offset: number }): ResultLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const from = read.offset;
  const end = text.lastIndexOf('\n') + 1;
  if (end <= from) return [];
  read.offset = end;
  return text
    .slice(from, end)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ResultLine);
}

function toOutcome(test: TestLine): TestOutcome {
  const timing = test.duration === undefined ? {} : { duration: test.duration };
  if (test.state === 'passed') return { name: test.name, passed: true, ...timing };
  const raw = test.message ?? test.state;
  const message = plainMessage(raw);
  return { name: test.name, passed: false, message, detail: messageDetail(raw), ...timing };
}

function collect(exercise: Exercise, line: ModuleLine, root: string): ExerciseRun {
  const tests = line.tests.map(toOutcome);
  if (tests.length === 0 || line.errors.length > 0) {
    const error = fileErrorMessage(line.errors[0] ?? 'the test file defines no tests', root);
    return { exercise, status: 'error', tests, error };
  }
  return { exercise, status: 'ran', tests };
}

function stalledRun(exercise: Exercise, test: string | undefined, stallMs: number): ExerciseRun {
  const where = test ? `in the test "${test}"` : `while loading ${exercisePaths(exercise).stub}`;
  const error = `no progress for ${stallMs / 1000} s (an endless loop? a blocking wait?) ${where}; stopped`;
  return { exercise, status: 'error', tests: [], error };
}

function unfinishedRun(exercise: Exercise, timedOut: boolean): ExerciseRun {
  const error = timedOut
    ? 'the tests did not finish in time (an endless loop or a lock that is never released?)'
    : 'the tests did not run (see `npm run exercise -- watch` for the full output)';
  return { exercise, status: 'error', tests: [], error };
}
