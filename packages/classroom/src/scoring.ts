/**
 * How points are computed — the one place, shared by `npm run grade` and the Classroom
 * workflow so both always agree.
 *
 * An exercise's points are spread over its tests as whole numbers: each test is worth
 * floor(points / tests), and the first (points mod tests) tests one more. A student earns
 * the points of every test that passes. A file that cannot run at all earns nothing.
 */
import { type Exercise, exercisePaths } from './manifest.ts';
import type { ExerciseRun } from './runner.ts';

export type Status = 'pass' | 'fail' | 'error';

export interface ScoredTest {
  name: string;
  passed: boolean;
  points: number;
  max: number;
  message?: string;
  detail?: string;
  duration?: number;
}

export interface ScoredExercise {
  exercise: Exercise;
  status: Status;
  points: number;
  max: number;
  message: string;
  tests: ScoredTest[];
}

/** Whole points per test, summing exactly to `points`. */
export function distributePoints(points: number, tests: number): number[] {
  if (tests <= 0) return [];
  const base = Math.floor(points / tests);
  const extra = points % tests;
  return Array.from({ length: tests }, (_, i) => base + (i < extra ? 1 : 0));
}

export function scoreRun(run: ExerciseRun): ScoredExercise {
  const { exercise } = run;
  const max = exercise.points;
  if (run.status === 'error') {
    return { exercise, status: 'error', points: 0, max, message: run.error ?? 'error', tests: [] };
  }
  const weights = distributePoints(max, run.tests.length);
  const tests = run.tests.map((test, i): ScoredTest => {
    const worth = weights[i] ?? 0;
    return { ...test, points: test.passed ? worth : 0, max: worth };
  });
  const points = tests.reduce((sum, t) => sum + t.points, 0);
  const failed = tests.filter((t) => !t.passed);
  const first = failed[0];
  const message = first
    ? `${first.name.split(' > ').at(-1)}: ${first.message ?? 'failed'} (${failed.length} of ${tests.length} tests failed)`
    : `all ${tests.length} tests passed`;
  return { exercise, status: failed.length === 0 ? 'pass' : 'fail', points, max, message, tests };
}

export interface GradeReport {
  total: number;
  max: number;
  exercises: Array<{ id: string; points: number; max: number; status: Status; message: string }>;
}

/** The `--report` JSON, field for field as the course promises. */
export function toReport(scored: readonly ScoredExercise[]): GradeReport {
  return {
    total: scored.reduce((sum, s) => sum + s.points, 0),
    max: scored.reduce((sum, s) => sum + s.max, 0),
    exercises: scored.map((s) => ({
      id: s.exercise.id,
      points: s.points,
      max: s.max,
      status: s.status,
      message: s.message,
    })),
  };
}

/**
 * One runner's result as autograding-grading-reporter reads it (base64 of this JSON, from
 * the env var `<RUNNER>_RESULTS`): it adds up `tests[].score` against `max_score`. The other
 * per-test fields are the ones autograding-command-grader writes.
 */
export interface ClassroomResult {
  version: 1;
  status: Status;
  max_score: number;
  tests: Array<{
    name: string;
    status: Status;
    score: number;
    message: string;
    test_code: string;
    filename: string;
    line_no: number;
    duration: number;
  }>;
}

/** Step outputs are size-limited; a student's error message can be arbitrarily long. */
const MAX_CLASSROOM_MESSAGE = 1_000;

export function toClassroomResult(scored: ScoredExercise): ClassroomResult {
  const { exercise } = scored;
  const common = {
    test_code: `npm run grade -- ${exercise.id}`,
    filename: exercisePaths(exercise).tests,
    line_no: 0,
  };
  const clip = (text: string) =>
    text.length > MAX_CLASSROOM_MESSAGE ? `${text.slice(0, MAX_CLASSROOM_MESSAGE - 1)}…` : text;
  const tests =
    scored.status === 'error'
      ? [
          {
            name: exercise.title,
            status: 'error' as const,
            score: 0,
            message: clip(scored.message),
            duration: 0,
            ...common,
          },
        ]
      : scored.tests.map((t) => ({
          name: t.name,
          status: t.passed ? ('pass' as const) : ('fail' as const),
          score: t.points,
          message: clip(t.message ?? ''),
          duration: t.duration ?? 0,
          ...common,
        }));
  return { version: 1, status: scored.status, max_score: scored.max, tests };
}

/** The step output name for an exercise, e.g. "3.1/02" → "ex_3_1_02". */
export function runnerName(id: string): string {
  return `ex_${id.replace(/[./]/g, '_')}`;
}
