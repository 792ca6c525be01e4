/**
 * Runs exercises' tests in one vitest child process and collects a result per test.
 * A child (not in-process vitest) so a hung student file can be killed without taking the
 * grader down; results arrive per file through the JSON-lines reporter.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ModuleLine, RESULTS_FILE_ENV, type TestLine } from './jsonl-reporter.ts';
import { type Exercise, exercisePaths } from './manifest.ts';
import { EXERCISES_CONFIG, ROOT, TARGET_ENV, type Target } from './paths.ts';

export interface TestOutcome {
  name: string;
  passed: boolean;
  /** The failure in plain words (its first line), when it failed. */
  message?: string;
  /** The failure's first few lines, without stack frames — e.g. both hex dumps. */
  detail?: string;
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
  /** Whole-run limit; a student's infinite loop otherwise never ends. */
  timeoutMs?: number;
  /** Where vitest's own output goes (the grader stays quiet by default). */
  onOutput?: (text: string) => void;
}

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

/** Up to `max` lines of the message, stack frames and diff noise left out. */
export function messageDetail(raw: string | undefined, max = 8): string {
  const lines = (raw ?? '').replace(ANSI, '').split('\n');
  return lines
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('at '))
    .slice(0, max)
    .join('\n');
}

/** Generous for a busy machine, short enough that an endless loop does not stall watch mode for long. */
export function runLimitMs(exercises: number): number {
  return Math.min(240_000, 30_000 + 10_000 * exercises);
}

export async function runExercises(
  exercises: readonly Exercise[],
  options: RunOptions = {},
): Promise<ExerciseRun[]> {
  const root = options.root ?? ROOT;
  const dir = mkdtempSync(join(tmpdir(), 'course-grade-'));
  const resultsFile = join(dir, 'results.jsonl');
  const files = exercises.map((e) => exercisePaths(e).tests);
  let timedOut = false;
  try {
    await new Promise<void>((resolve, reject) => {
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
        },
      );
      const forward = (chunk: Buffer) => options.onOutput?.(chunk.toString());
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? runLimitMs(exercises.length));
      child.on('error', reject);
      // A failing test makes vitest exit 1; that is a result, not an error.
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return collect(exercises, readLines(resultsFile), root, timedOut);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readLines(file: string): ModuleLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ModuleLine);
}

function toOutcome(test: TestLine): TestOutcome {
  if (test.state === 'passed') return { name: test.name, passed: true };
  const raw = test.message ?? test.state;
  return { name: test.name, passed: false, message: plainMessage(raw), detail: messageDetail(raw) };
}

function collect(
  exercises: readonly Exercise[],
  lines: ModuleLine[],
  root: string,
  timedOut: boolean,
) {
  return exercises.map((exercise): ExerciseRun => {
    const wanted = join(root, exercisePaths(exercise).tests);
    const line = lines.find((l) => l.file === wanted);
    if (!line) {
      const why = timedOut
        ? 'the tests did not finish in time (an endless loop or a lock that is never released?)'
        : 'the tests did not run (see `npm run exercise -- watch` for the full output)';
      return { exercise, status: 'error', tests: [], error: why };
    }
    const tests = line.tests.map(toOutcome);
    if (tests.length === 0 || line.errors.length > 0) {
      const error = plainMessage(line.errors[0] ?? 'the test file defines no tests');
      return { exercise, status: 'error', tests, error };
    }
    return { exercise, status: 'ran', tests };
  });
}
